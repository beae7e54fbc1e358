"""Scenario files load into typed objects; bad ones get one clear line and exit 2."""

import subprocess
import sys

import pytest

from negosim import ScenarioError, load_scenario
from negosim.cli import main
from negosim.scenario import build_scenario

from conftest import SCENARIOS

TEACHING = (SCENARIOS / "teaching_two_party.toml").read_text()


def test_flagship_has_the_sourced_content(flagship):
    assert len(flagship.clauses) >= 24
    assert {"anchorage_28", "geneva_19", "e3_counter"} <= set(flagship.texts)
    # the December text is the backtest's ledger, not an input: nothing the dynamics read postdates 25 Nov
    assert "us_ua_20_dec" not in flagship.texts
    assert flagship.texts["geneva_19"].bracketed, "Geneva's bracketed clauses are part of the text"
    assert flagship.texts["geneva_19"].deferred, "and the items moved to other tracks"
    roles = {p: v.role for p, v in flagship.parties.items()}
    assert roles == {"US": "mediator", "UA": "principal", "RU": "principal", "E3": "observer"}
    assert flagship.parties["RU"].veto.reference == "anchorage_28"
    humanitarian = [c for c in flagship.channels if {c.source, c.target} == {"UA", "RU"}]
    assert humanitarian and all(c.clauses for c in humanitarian)
    assert flagship.calendar.start.isoformat() == "2025-11-25"
    assert flagship.calendar.horizon.isoformat() == "2026-06-30"
    assert "2025-12-31" in [d.isoformat() for d in flagship.calendar.report_dates]
    assert flagship.parties["RU"].time is not None  # Moscow's own clock, not the run's horizon
    assert flagship.events["ceasefire"].agreed == ("SEQUENCE",)
    thanksgiving = [d for d in flagship.deadlines if d.date.isoformat() == "2025-11-27"]
    assert thanksgiving and thanksgiving[0].kind == "soft"


def test_every_flagship_value_says_whether_it_is_sourced_or_assumed():
    lines = (SCENARIOS / "geneva_vs_anchorage.toml").read_text().splitlines()
    unmarked = [
        line
        for line in lines
        if "=" in line
        and not line.lstrip().startswith("#")
        and not line.lstrip().startswith("[")
        and not any(tag in line for tag in ("[S", "[M", "[A"))
        and not line.strip().endswith(("[", "{"))
        and line.split("=")[0].strip() not in ("label", "low", "high", "name", "description", "id", "tags", "poles")
        and line.split("=")[0].strip() not in ("kind", "agreed")  # the ceasefire question's definition
    ]
    assert not unmarked, unmarked[:5]


def test_geneva_values_rest_on_geneva_era_sources_only():
    """No value of the start text cites the December text or anything after 25 Nov 2025."""
    text = (SCENARIOS / "geneva_vs_anchorage.toml").read_text()
    geneva = text[text.index("[texts.geneva_19]") : text.index("[texts.e3_counter]")]
    for marker in ("20-pt", "20-point", "Dec", "December", "Bishkek", "27 Nov", "2 Dec"):
        assert marker not in geneva, marker


BAD = [
    ("salience = { X = 0.7, Y = 0.3 }", "salience = { X = 0.7, Y = 0.3, Z = 1.0 }", "parties.A.salience.Z"),
    ("salience = { X = 0.7, Y = 0.3 }", "salience = { X = nan, Y = 0.3 }", "parties.A.salience.X"),
    ("ideal = { X = 0.0, Y = 0.0 }", 'ideal = { X = "left", Y = 0.0 }', "parties.A.ideal.X"),
    ("ideal = { X = 0.0, Y = 0.0 }", "ideal = { X = 1.5, Y = 0.0 }", "parties.A.ideal.X"),
    ("salience = { X = 0.7, Y = 0.3 }", "salience = { X = 0.0, Y = 0.0 }", "parties.A.salience"),
    ('from = "M"\nto = "A"', 'from = "M"\nto = "Q"', "channels.0.to"),
    ('start_text = "opening"', 'start_text = "nowhere"', "mediator.start_text"),
    ("horizon = 2025-03-01", "horizon = 2024-03-01", "calendar"),
    ("step = 0.1", "step = 0.1\nstpe = 0.2", "mediator.stpe"),
    ('[[channels]]\nfrom = "M"\nto = "B"\nlatency = 1\n', "", "channels"),
]


@pytest.mark.parametrize("old,new,key", BAD)
def test_bad_values_name_the_file_and_key_path(tmp_path, capsys, old, new, key):
    assert old in TEACHING
    path = tmp_path / "bad.toml"
    path.write_text(TEACHING.replace(old, new, 1))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.key.startswith(key)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err and key in err


def test_bad_toml_and_missing_files_exit_2_without_traceback(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[meta\nname = 1")
    for target in (broken, tmp_path / "missing.toml", tmp_path):
        done = subprocess.run(
            [sys.executable, "-m", "negosim.cli", "validate", str(target)], capture_output=True, text=True
        )
        assert done.returncode == 2
        assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
        assert str(target) in done.stderr


def test_scenario_files_are_data_not_code(tmp_path):
    # A string that would run if anything evaluated it stays a plain label.
    path = tmp_path / "data.toml"
    marker = tmp_path / "ran"
    path.write_text(TEACHING.replace('label = "Party A"', f"label = \"__import__('os').mkdir('{marker}')\""))
    scenario = load_scenario(path)
    assert scenario.parties["A"].label.startswith("__import__")
    assert not marker.exists()


def test_shipped_scenarios_validate(capsys):
    files = sorted(str(p) for p in SCENARIOS.glob("*.toml"))
    assert len(files) >= 3
    assert main(["validate", *files]) == 0
    assert capsys.readouterr().out.count(": ok (") == len(files)


def test_overrides_by_key_path_fix_the_value(flagship):
    changed = flagship.with_values({"mediator.bias": -0.5})
    assert changed.mediator.bias == -0.5
    assert "mediator.bias" not in changed.uncertainty
    with pytest.raises(ScenarioError):
        flagship.with_values({"mediator.nonsense": 1})


def test_a_veto_over_clauses_of_no_weight_to_its_party_is_refused(flagship):
    raw = flagship.model_dump(mode="python", by_alias=True)
    for cid in raw["parties"]["RU"]["veto"]["clauses"]:
        raw["parties"]["RU"]["salience"][cid] = 0.0
    with pytest.raises(ScenarioError, match=r"parties\.RU\.veto\.clauses: clauses the party gives some salience"):
        build_scenario(raw, "f.toml")


def test_a_source_key_in_a_file_is_an_unknown_key(two_party):
    raw = two_party.model_dump(mode="python", by_alias=True)
    raw["source"] = "elsewhere.toml"
    with pytest.raises(ScenarioError, match=r"f\.toml: source: no such key"):
        build_scenario(raw, "f.toml")
