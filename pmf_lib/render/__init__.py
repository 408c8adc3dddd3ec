"""Stage 5 — render: the report's HTML blocks and charts, and the report HTML template.

* :mod:`~pmf_lib.render.reports` — the report kinds the notebooks call;
* :mod:`~pmf_lib.render.format` — values formatted by unit;
* :mod:`~pmf_lib.render.charts` — trend charts with alt text;
* :func:`~pmf_lib.render.export.export_html` — an executed notebook to a self-contained page.
"""

from __future__ import annotations

from pmf_lib.render.export import export_html

__all__ = ["export_html"]
