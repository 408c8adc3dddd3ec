"""Names vulture (``make lint``'s dead-code check) cannot see being used; each says why.

Settings are in pyproject.toml's ``[tool.vulture]``: functions registered by a
decorator (``@kpi``, ``@rule``, pydantic validators, pytest fixtures), pydantic's
``model_config``, ``pytestmark``, pytest hooks (``pytest_*``) and the docstring-example
builders (``_example``, ``_cla_example``, ...) are ignored there. What is left is listed
below. Before adding a name here, make sure it is really used: dead code is deleted, not listed.
This file is read by vulture only; nothing imports it.
"""

# ruff: noqa
# fmt: off

# Called from the report notebooks (vulture does not read .ipynb files).
QuarterlyReport      # notebooks/quarterly_report.ipynb
schedule_agenda      # notebooks/reporting_schedule.ipynb
schedule_calendar    # notebooks/reporting_schedule.ipynb
_.flag_definitions   # notebooks/exceptions_report.ipynb
_.budget_table       # notebooks/finance_report.ipynb
_.survey_quarters    # notebooks/voice_report.ipynb
_.momo               # notebooks/voice_report.ipynb
_.participation      # notebooks/voice_report.ipynb
_.performance        # notebooks/finance_report.ipynb

# KPIs registered by kpi() called directly (compute/kpis/workforce.py's caseload bands).
wf_caseload_over_10_count
wf_caseload_over_15_count
wf_caseload_over_20_count
wf_caseload_over_25_count

# Called by a library through its interface.
_.handleError                 # logging.Handler override (publish/batch.py)
_.execute_managed_notebook    # papermill engine API (publish/papermill_engine.py)
log_output                    # papermill passes it by name to execute_managed_notebook
_.validateLink                # markdown-it-py's link check (render/commentary.py)

# Fields of dataclasses / pydantic models read by name (getattr, asdict, a table's columns).
ssda903              # config.DataPaths: read as getattr(config.data, source)
workforce_development  # config.LocalSources: read as getattr(config.data.local, name)
england_year         # assess/comparators.Comparator: columns of the comparators table
region_year
sn_year
quartile_year
kpi_table_path       # publish: the batch's result for callers
assessed_table_path
pmf_version          # publish/store.py: a published run's columns
kpi_table_sha256
assessed_table_sha256
example              # read/local.Column and TableSchema: keys of the packaged schema
attribution          # format (pmf_lib/read/schemas/*.yml), kept as the files give them

# Documented vocabularies (module docstrings and other docstrings name them).
STATES               # assess/actions.py: the states an action can be in
EXCEPTION_FLAGS      # assess/exceptions.py: the flags, in order
GOOD_PRACTICE_FLAGS
RAG_STATES           # assess/targets.py: the RAG values

# Pytest fixtures requested for their effect (a skip), not their value.
chromium_present     # tests/publish/test_pack.py
