"""Study: the flagship's forecasts by date and its inputs one at a time (experiments/flagship.py)."""

import pytest

from conftest import run_study


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return run_study("flagship", tmp_path_factory)


def test_writes_its_tables_and_figures(study):
    _, scan, out = study
    for name in ("flagship.md", "scan.csv", "tornado_2026-03-31.png", "tornado_2026-06-30.png"):
        assert (out / name).stat().st_size > 0, name
    assert len(scan) == 12 and scan["max_change"].notna().all()


def test_forecasts_are_read_by_date_and_ukraine_accepts_while_russia_waits(study):
    _, scan, _ = study
    by_date = {entry["date"]: entry for entry in scan.attrs["summary"]["by_date"]}
    new_year = by_date["2025-12-31"]
    assert new_year["UA accepts"]["p"] > 0.5 and new_year["RU accepts"]["p"] < 0.05
    assert by_date["2025-11-27"]["UA accepts"]["p"] <= new_year["UA accepts"]["p"]
    # nobody signs alone: each side's signature is the deal's
    for date, entry in by_date.items():
        assert entry["UA signs"]["p"] == entry["deal"]["p"] == entry["RU signs"]["p"], date
    # probabilities never fall as the date moves on
    deals = [by_date[d]["deal"]["p"] for d in sorted(by_date)]
    assert deals == sorted(deals)


def test_the_scan_flags_by_the_stated_threshold_and_knows_each_inputs_status(study):
    module, scan, _ = study
    assert (scan["flagged"] == (scan["max_change"] > module.THRESHOLD)).all()
    switched = scan.set_index("input")
    assert "parties.RU.veto.tolerance" in switched.index  # the veto switched off is among the structural inputs
    assert switched["uncertain"].dtype == bool and switched["tags"].str.fullmatch("[ASM]*").all()


def test_tags_are_read_from_the_file(study):
    module, _, _ = study
    from negosim.scenario import resolve_scenario

    tags = module.tags_by_path(resolve_scenario("geneva_vs_anchorage"))
    assert tags["parties.RU.veto.tolerance"] == "M"
    assert "S" in tags["parties.RU.veto.reference"]
    assert tags["channels.1.latency"] == "M"
