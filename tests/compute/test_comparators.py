"""Each KPI's comparator is a real LAIT measure and its polarity agrees with LAIT's."""

from __future__ import annotations

import pandas as pd
import pytest

from pmf_lib.compute.registry import all_kpis
from tests.conftest import need_shared

LAIT_POLARITY = {"High": "higher_is_better", "Low": "lower_is_better"}


@pytest.fixture(scope="module")
def lait() -> pd.DataFrame:
    path = need_shared("data", "benchmarks_dfe", "lait_data_dictionary.csv")
    d = pd.read_csv(path, usecols=["Measure_short", "Polarity"], dtype=str)
    return d.drop_duplicates("Measure_short").set_index("Measure_short")


@pytest.mark.parametrize(
    "kpi_id", sorted(k for k, v in all_kpis().items() if v.meta.comparator is not None)
)
def test_comparator_is_a_lait_measure_with_matching_polarity(lait, kpi_id):
    meta = all_kpis()[kpi_id].meta
    assert meta.comparator in lait.index, f"{meta.comparator!r} is not a LAIT Measure_short"
    polarity = str(lait.loc[meta.comparator, "Polarity"]).strip()
    assert meta.polarity == LAIT_POLARITY.get(polarity, "neutral")
