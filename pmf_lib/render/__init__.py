"""Stage 5 — render: the report's HTML blocks and charts, and the report HTML template.

* :class:`~pmf_lib.render.report.AreaReport` — what the report notebook calls;
* :mod:`~pmf_lib.render.format` — values formatted by unit;
* :mod:`~pmf_lib.render.charts` — trend charts with alt text;
* :func:`~pmf_lib.render.export.export_html` — an executed notebook to a self-contained page.
"""

from __future__ import annotations

from pmf_lib.render.export import export_html
from pmf_lib.render.report import AreaReport

__all__ = ["AreaReport", "export_html"]
