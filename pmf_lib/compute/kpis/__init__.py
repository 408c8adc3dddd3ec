"""KPI definitions, one module per service area. Importing this registers them all."""

from pmf_lib.compute.kpis import (  # noqa: F401
    adolescents,
    adoption,
    assessment,
    care_leavers,
    children_in_need,
    children_looked_after,
    complaints,
    conferencing,
    contacts,
    disabilities,
    early_help,
    finance,
    front_door,
    improvement_actions,
    lado,
    protection,
    quality_assurance,
    voice,
    workforce,
)
