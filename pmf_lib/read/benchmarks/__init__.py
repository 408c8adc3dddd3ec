"""Import DfE and ONS published benchmarks into one compact store.

The national comparators (England, region, statistical neighbours, quartile
bands and ranks) come from files the Department for Education and the Office
for National Statistics publish, read here in the formats they are published in:

* the **LAIT** "big data set" in long format (``bds_long*.parquet``) and its data
  dictionary (``*data_dictionary*.csv``): the children's social care topics only
  (:data:`CSC_TOPICS`), so the store stays small;
* **Explore Education Statistics** CSVs (``b1_*``, ``c1_*``, ``d3_*``, ``d5_*``,
  ``cla_number_and_rate_*``, ``csww_indicators_*``, ``la_cla_placement_stability*``):
  the columns in :data:`EES_COLUMNS` (read from the data file
  ``ees_columns.yaml`` in this package), each mapped to a measure code. A column
  that duplicates a LAIT measure is mapped to the LAIT code; LAIT is preferred
  where both publish a measure for a year, the EES figures fill years LAIT lacks.
  Columns LAIT has no measure for get codes of our own, prefixed ``EES_``;
* the DfE **statistical neighbour** models (April 2021 and May 2025) in both the
  LAIT xlsx layout (two header rows) and the CSV layouts;
* the **ONS mid-year population** estimates of children aged 0 to 17.

The store (:class:`BenchmarkStore`) has four tables:

``measures``
    code, title, measure, topic, polarity (``High``/``Low``/``-``), unit,
    source_table, year_type, no_quartile, dps, source.
``values``
    measure, year (label as published, e.g. ``2025``), year_end (date the
    year ends: 31 March for financial years and "at 31 March" counts, 30
    September for the workforce census, 31 August for academic years),
    level (``England``/``Region``/``LA``), la_code (old LA number; England is
    970 and regions 980-990 as LAIT numbers them), name, region, value and
    suppression (the published code when the value is missing), source.
``neighbours``
    model (``2021``/``2025``), la_code, la_name, region, sn_rank 1..10,
    neighbour (LA number), neighbour_name, closeness, inherited_from.
``population``
    year, level, la_code, name, children (aged 0-17).

Suppressed or missing figures (:data:`SUPPRESSION_CODES`) become NaN with the
published code kept in ``suppression`` -- never zero.

Reorganised councils (:data:`REORGANISATIONS`): Northamptonshire (928) was
replaced by North (940) and West (941) Northamptonshire on 1 April 2021, and
Cumbria (909) by Cumberland (942) and Westmorland and Furness (943) on 1 April
2023.

* A predecessor's history stays under its own code: its figures are never split
  between, or copied to, its successors, because they describe a different
  area. :func:`la_series` can set a predecessor's years before a successor's
  own series, marked with the predecessor's code in ``from_la_code``, so a
  chart can show the history, labelled.
* A successor without a neighbour list in a model (Cumberland and Westmorland
  and Furness in April 2021, drawn up before they existed) takes its
  predecessor's list, marked ``inherited_from``.
* A neighbour list that names an abolished council keeps it as published (as
  LAIT does): it has no figures after abolition, so it drops out of the
  neighbour mean and median for those years.
* Workforce figures published jointly for North and West Northamptonshire
  (``940 / 941``, one children's trust) are given to both, as LAIT does.

The package, by concern (everything named here is importable from it):

* :mod:`~pmf_lib.read.benchmarks.areas` -- England, regions, councils, reorganisations;
* :mod:`~pmf_lib.read.benchmarks.values` -- figures, suppression codes, year ends and
  the tables' columns;
* :mod:`~pmf_lib.read.benchmarks.columns` -- the EES column table (``ees_columns.yaml``);
* :mod:`~pmf_lib.read.benchmarks.lait` -- LAIT's dictionary and long data set;
* :mod:`~pmf_lib.read.benchmarks.ees` -- EES CSVs and the ONS population estimates;
* :mod:`~pmf_lib.read.benchmarks.neighbours` -- the statistical neighbour models;
* :mod:`~pmf_lib.read.benchmarks.store` -- :class:`BenchmarkStore`: import, save, load
  and :func:`la_series`.

Examples
--------
>>> from pmf_lib.read.benchmarks import load_benchmarks
>>> store = load_benchmarks()
>>> int(store.neighbours.query("model == '2025' and la_code == 938").shape[0])
10
"""

from pmf_lib.read.benchmarks.areas import (
    ENGLAND,
    REGION_CODES,
    REGION_NAMES,
    REORGANISATIONS,
    Reorganisation,
    successor_of,
)
from pmf_lib.read.benchmarks.columns import EES_COLUMNS, EES_PREFIXES, EesColumn, load_ees_columns
from pmf_lib.read.benchmarks.ees import ees_measures, read_ees_csv, read_ons_population
from pmf_lib.read.benchmarks.lait import CSC_TOPICS, read_lait_dictionary, read_lait_long
from pmf_lib.read.benchmarks.neighbours import combine_neighbours, read_sn_csv, read_sn_xlsx
from pmf_lib.read.benchmarks.store import (
    OGL_ATTRIBUTION,
    SNAPSHOT_DIR,
    BenchmarkStore,
    SourceFiles,
    find_sources,
    import_benchmarks,
    la_series,
    load_benchmarks,
    save_benchmarks,
)
from pmf_lib.read.benchmarks.values import (
    MEASURE_COLUMNS,
    NEIGHBOUR_COLUMNS,
    POPULATION_COLUMNS,
    SUPPRESSION_CODES,
    TABLES,
    VALUE_COLUMNS,
    YEAR_END,
    parse_value,
    year_end,
)

__all__ = [
    "CSC_TOPICS",
    "EES_COLUMNS",
    "EES_PREFIXES",
    "ENGLAND",
    "MEASURE_COLUMNS",
    "NEIGHBOUR_COLUMNS",
    "OGL_ATTRIBUTION",
    "POPULATION_COLUMNS",
    "REGION_CODES",
    "REGION_NAMES",
    "REORGANISATIONS",
    "SNAPSHOT_DIR",
    "SUPPRESSION_CODES",
    "TABLES",
    "VALUE_COLUMNS",
    "YEAR_END",
    "BenchmarkStore",
    "EesColumn",
    "Reorganisation",
    "SourceFiles",
    "combine_neighbours",
    "ees_measures",
    "find_sources",
    "import_benchmarks",
    "la_series",
    "load_benchmarks",
    "load_ees_columns",
    "parse_value",
    "read_ees_csv",
    "read_lait_dictionary",
    "read_lait_long",
    "read_ons_population",
    "read_sn_csv",
    "read_sn_xlsx",
    "save_benchmarks",
    "successor_of",
    "year_end",
]
