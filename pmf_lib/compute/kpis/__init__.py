"""KPI definitions, one module per service area. Importing this registers them all."""

from pmf_lib.compute.kpis import (  # noqa: F401
    assessment,
    children_looked_after,
    front_door,
    protection,
)
