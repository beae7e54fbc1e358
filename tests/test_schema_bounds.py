"""The scenario schema bounds what the model can use, and data files are safe to read and print.

Every number has a finite range the model survives; uncertainty draws keep to it;
sizes that cannot fit are refused before they are read or parsed; and no key or
string with a control character reaches a terminal.
"""

import math
import resource
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negosim import ScenarioError, load_scenario, run_ensemble
from negosim.engine.params import WorldParams
from negosim.engine.streams import WorldStreams
from negosim.runs.experiment_spec import load_experiment
from negosim.scenario import shipped_scenarios
from negosim.scenario.ledger import Ledger, check_ledger, load_ledger
from negosim.scenario.ranges import FieldRange, field_range, numeric_fields
from negosim.scenario.schema import Scenario, build_scenario
from negosim.scenario.tomlfile import MAX_DEPTH, MAX_FILE_BYTES, check_tree, read_toml

from conftest import ROOT, SCENARIOS

CASES = {"values": 0, "ran": 0, "refused": 0, "draws": 0}
TEACHING = ("teaching_two_party", "teaching_three_party")
TWO_PARTY_TOML = (SCENARIOS / "teaching_two_party.toml").read_text()


@pytest.fixture(scope="module")
def teaching():
    return {name: load_scenario(name) for name in TEACHING}


def _refused(make) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        make()
    message = str(info.value)
    assert "\n" not in message and message.isprintable(), message
    return info.value


# -- 1. every number has a finite range the model survives ------------------------------------------


@pytest.mark.parametrize("model", [Scenario, Ledger])
def test_every_numeric_field_has_a_finite_range(model):
    fields = dict(numeric_fields(model))
    assert len(fields) > (40 if model is Scenario else 1)
    assert [path for path, valid in fields.items() if not valid.finite] == []


@pytest.mark.parametrize(
    ("path", "value", "shown"),
    [
        ("parties.A.salience.X", 1e308, "[0, 1000]"),  # 100% breakdown instead of deals
        ("parties.A.capability", 1e308, "(0, 1000]"),  # crashed the reference points
        ("parties.A.reservation.base", 3.0, "[-1, 2]"),
        ("parties.A.reservation.territory_weight", -11.0, "[-10, 10]"),
        ("parties.A.reservation.expected_drift", 1.5, "[-1, 1]"),
        ("parties.A.reservation.war_cost", -0.1, "[0, 1]"),
        ("parties.A.noise", 2.0, "[0, 1]"),
        ("parties.A.walkout.margin", 11.0, "[0, 10]"),
        ("parties.M.advice_weight", 1e300, "[0, 10]"),
        ("mediator.own_weight", 11.0, "[0, 10]"),
        ("mediator.deal_bonus", 1e9, "[0, 10]"),
        ("mediator.impatience", 1.5, "[0, 1]"),
        ("mediator.bracketing.threshold", 1e6, "[0, 100]"),
        ("battlefield.drift", -2.0, "[-1, 1]"),
        ("battlefield.volatility", 5.0, "[0, 1]"),
    ],
)
def test_a_number_outside_its_range_is_refused_with_the_range(teaching, path, value, shown):
    error = _refused(lambda: teaching["teaching_two_party"].with_values({path: value}))
    assert error.key == path
    assert shown in error.expected and f"got {value!r}" in error.expected


def test_leverage_beyond_its_range_is_refused(flagship):
    for path, value in (("mediator.leverage.UA.per_round", 2.0), ("mediator.leverage.UA.maximum", 1e4)):
        assert _refused(lambda: flagship.with_values({path: value})).key == path  # noqa: B023


def test_an_absurd_spread_is_refused(teaching):
    error = _refused(
        lambda: teaching["teaching_two_party"].with_uncertainty(
            {"mediator.step": {"dist": "normal", "mean": 0.1, "sd": 1e308}}  # an IndexError mid-run
        )
    )
    assert error.key == "uncertainty.mediator.step.sd" and "1e+06" in error.expected
    wide = _refused(
        lambda: teaching["teaching_two_party"].with_uncertainty(
            {"parties.A.ideal.X": {"dist": "normal", "mean": 0.5, "sd": 3.0}}
        )
    )
    assert wide.key == "uncertainty.parties.A.ideal.X.sd"


def test_indices_into_the_scenarios_own_lists_are_checked(teaching):
    """The schedule and event checks existed but never ran: a missing channel crashed the run."""
    raw = teaching["teaching_two_party"].model_dump(mode="python", by_alias=True)
    raw["schedule"] = [{"date": raw["calendar"]["start"], "kind": "channel_opens", "channel": 7}]
    assert _refused(lambda: build_scenario(raw)).key == "schedule.0.channel"
    raw["schedule"], raw["events"] = [], {"signed": {"kind": "signs", "party": "M"}}
    assert _refused(lambda: build_scenario(raw)).key == "events.signed.party"


def test_shipped_scenarios_experiments_and_ledgers_stay_inside_the_ranges():
    scenarios = {name: load_scenario(path) for name, path in shipped_scenarios().items()}
    assert len(scenarios) >= 5
    for path in sorted((ROOT / "experiments").glob("*.toml")):
        load_experiment(path)
    check_ledger(load_ledger("geneva_vs_anchorage_2025"), scenarios["geneva_vs_anchorage"])


# -- 2. the range of a key path, and draws that keep to it --------------------------------------------


def test_field_range_walks_tables_dicts_tuples_optionals_and_aliases():
    assert field_range(Scenario, "parties.RU.red_lines.NATO_UA.min") == FieldRange(0.0, 1.0)
    assert field_range(Scenario, "parties.A.tactic.exponent") == FieldRange(0.0, 50.0, low_open=True)
    assert field_range(Scenario, "channels.7.latency") == FieldRange(1, 60, integer=True)
    assert field_range(Scenario, ("uncertainty", "mediator.step", "sd")) == FieldRange(0.0, 1e6)
    assert field_range(Scenario, "mediator.bracketing.enabled") is None  # a flag
    assert field_range(Scenario, "channels.0.from") is None  # an id, by its alias
    assert field_range(Scenario, "calendar.start") is None  # a date
    assert field_range(Ledger, "clause.3.value") == FieldRange(0.0, 1.0)
    for path in ("parties.A.nonsense", "channels.x.latency", "meta.name.x"):
        with pytest.raises(KeyError):
            field_range(Scenario, path)


def test_field_range_membership_respects_strict_bounds_and_integers():
    reliability = field_range(Scenario, "channels.0.reliability")
    assert 0.0 not in reliability and 5e-324 in reliability and 1.0 in reliability
    assert math.nan not in reliability and True not in reliability
    latency = field_range(Scenario, "channels.0.latency")
    assert 3 in latency and 3.0 in latency and 3.5 not in latency and 61 not in latency
    assert reliability.within(0.5, 2.0) == FieldRange(0.5, 1.0)
    assert reliability.within(2.0, 3.0).empty


@pytest.mark.parametrize(
    ("path", "dist", "bad_key", "shown"),
    [
        ("channels.0.reliability", {"dist": "uniform", "low": 0.0, "high": 0.0}, "", "(0, 1] (got [0, 0])"),
        ("mediator.step", {"dist": "uniform", "low": -0.1, "high": 0.1}, "", "(0, 0.15]"),  # a negative step
        ("mediator.step", {"dist": "triangular", "low": 0.1, "mode": 0.2, "high": 0.3}, "", "(0, 0.15]"),
        ("mediator.step", {"dist": "beta", "a": 2.0, "b": 2.0}, "", "(got [0, 1])"),  # beta's default support
        ("parties.A.ideal.X", {"dist": "uniform", "low": 0.0, "high": math.inf}, ".high", "finite"),
        ("parties.A.ideal.X", {"dist": "normal", "mean": 5.0, "sd": 0.1}, ".mean", "[0, 1] (got 5)"),
        ("parties.A.ideal.X", {"dist": "normal", "mean": 0.5, "sd": 0.1, "low": 2.0, "high": 3.0}, "", "[0, 1]"),
        ("channels.0.latency", {"dist": "choice", "values": [1, 2, 99]}, ".values.2", "[1, 60] (got 99)"),
        ("channels.0.reliability", {"dist": "choice", "values": [0.5, 0.0]}, ".values.1", "(0, 1] (got 0.0)"),
    ],
)
def test_a_distribution_that_leaves_the_fields_range_is_refused(teaching, path, dist, bad_key, shown):
    error = _refused(lambda: teaching["teaching_two_party"].with_uncertainty({path: dist}))
    assert error.key == f"uncertainty.{path}{bad_key}" and shown in error.expected, error


def _draws(scenario, path: str, worlds: int = 4000) -> np.ndarray:
    return WorldParams(scenario, WorldStreams(np.arange(worlds))).drawn[path]


def test_normal_draws_are_truncated_to_the_field_and_keep_strict_bounds(teaching):
    s = teaching["teaching_two_party"]
    step = _draws(s.with_uncertainty({"mediator.step": {"dist": "normal", "mean": 0.02, "sd": 0.15}}), "mediator.step")
    assert step.min() > 0.0 and step.max() <= 0.15 and (step == 0.15).any()
    assert step.min() == np.nextafter(0.0, 1.0)  # the nearest number inside, not 0
    cut = {"dist": "normal", "mean": 0.5, "sd": 0.5, "low": 0.3}
    ideal = _draws(s.with_uncertainty({"parties.A.ideal.X": cut}), "parties.A.ideal.X")
    assert ideal.min() == 0.3 and ideal.max() == 1.0


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_continuous_draw_lies_in_its_fields_range(teaching, data):
    s = teaching[data.draw(st.sampled_from(TEACHING))]
    paths = [p for p in _numeric_paths(s.plain) if not field_range(Scenario, p).integer]
    path = data.draw(st.sampled_from(paths))
    valid = field_range(Scenario, path)
    low, high = valid.inner
    value = st.floats(low, high, allow_nan=False)
    kind = data.draw(st.sampled_from(["uniform", "normal", "triangular", "beta"]))
    a, b = sorted([data.draw(value), data.draw(value)])
    dist = {
        "uniform": {"low": a, "high": b},
        "normal": {"mean": a, "sd": data.draw(st.floats(0.0, high - low))},
        "triangular": {"low": a, "mode": data.draw(st.floats(a, b)), "high": b},
        "beta": {"a": data.draw(st.floats(1e-3, 1e3)), "b": data.draw(st.floats(1e-3, 1e3)), "low": a, "high": b},
    }[kind]
    uncertain = s.with_uncertainty({path: {"dist": kind, **dist}})  # inside the range: accepted
    CASES["draws"] += 1
    drawn = _draws(uncertain, path, 200)
    assert np.isfinite(drawn).all() and all(float(x) in valid for x in drawn)


# -- 3. sizes that cannot fit are refused before they are read or parsed ----------------------------


def test_deeply_nested_toml_is_one_line_not_a_recursion_error(tmp_path):
    for name, text in {
        "arrays": "a = " + "[" * 100_000,
        "tables": "a = " + "{b = " * 100_000,
        "dotted": "a" + ".a" * 3000 + " = 1",  # tomllib's memory grows with the square of the parts
        "header": "[" + ".".join(["t"] * 5000) + "]",
    }.items():
        path = tmp_path / f"{name}.toml"
        path.write_text(text)
        error = _refused(lambda: load_scenario(path))  # noqa: B023
        assert error.source == str(path) and str(MAX_DEPTH) in error.expected, error


def test_nesting_that_parses_is_still_refused_with_its_key_path(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text("[meta]\nname = " + "[" * 40 + "1" + "]" * 40 + "\n")
    error = _refused(lambda: load_scenario(path))
    assert error.key.startswith("meta.name.0.0") and "nested at most 32 deep" in error.expected


def test_a_file_over_the_size_cap_is_refused_naming_the_file_and_the_limit(tmp_path):
    path = tmp_path / "huge.toml"
    path.write_bytes(b"# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    error = _refused(lambda: load_scenario(path))
    assert error.source == str(path) and "4 MiB" in error.expected
    path.write_bytes(b"# padding\n" * (MAX_FILE_BYTES // 10 - 1))  # under the cap: read and judged
    assert "4 MiB" not in _refused(lambda: load_scenario(path)).expected


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))  # a reader that never stops fails here, not the machine


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_validate_dev_zero_stops_at_the_cap():
    done = subprocess.run(
        [sys.executable, "-m", "negosim.cli", "validate", "/dev/zero"],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit_memory,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == "error: /dev/zero: <top level>: a file of at most 4 MiB (4194304 bytes)"


def test_huge_free_text_is_refused(teaching, tmp_path):
    raw = teaching["teaching_two_party"].model_dump(mode="python", by_alias=True)
    raw["parties"]["A"]["label"] = "x" * 10_000_000  # 10 MB
    assert _refused(lambda: build_scenario(raw)).key == "parties.A.label"
    path = tmp_path / "label.toml"
    path.write_text(TWO_PARTY_TOML.replace('label = "Party A"', f'label = "{"x" * 1_000_000}"'))
    error = _refused(lambda: load_scenario(path))
    assert error.key == "parties.A.label" and "200" in error.expected
    path.write_text(TWO_PARTY_TOML.replace("[meta]\n", f"[meta]\nx{'y' * 300} = 1\n"))
    assert "256 characters" in _refused(lambda: load_scenario(path)).expected


def test_huge_ledger_text_is_refused(tmp_path):
    shipped = (SCENARIOS / "history" / "geneva_vs_anchorage_2025.toml").read_text()
    path = tmp_path / "ledger.toml"
    path.write_text(shipped.replace('source = "', f'source = "{"s" * 20_000}', 1))
    error = _refused(lambda: load_ledger(path))
    assert error.key.endswith(".source") and "10000" in error.expected


# -- 4. no key or string with a control character reaches a terminal --------------------------------


@pytest.mark.parametrize(
    ("old", "new", "key", "found"),
    [
        ('label = "Party A"', 'label = "Party \\u001b[2JA"', "parties.A.label", "'\\x1b'"),
        ('label = "Party A"', 'label = "Party\\nA"', "parties.A.label", "'\\n'"),
        ('label = "Party A"', 'label = "Party\\tA"', "parties.A.label", "'\\t'"),
        ('label = "Party A"', 'label = "Party\\u007fA"', "parties.A.label", "'\\x7f'"),
        ('label = "Party A"', 'label = "Party\\u009bA"', "parties.A.label", "'\\x9b'"),  # C1: CSI
        ('label = "Party A"', 'label = "Party\\u0000A"', "parties.A.label", "'\\x00'"),
        ('description = "', 'description = "\\r', "meta.description", "'\\r'"),
        ('low = "A\'s position"', 'low = "A\\u0007"', "clauses.0.low", "'\\x07'"),
        ("[parties.A]\n", '[parties.A]\n"tol\\u001bx" = 1\n', "parties.A.tol\\x1bx", "'\\x1b'"),
    ],
)
def test_control_characters_are_refused_and_shown_escaped(tmp_path, old, new, key, found):
    path = tmp_path / "s.toml"
    assert old in TWO_PARTY_TOML
    path.write_text(TWO_PARTY_TOML.replace(old, new, 1))
    error = _refused(lambda: load_scenario(path))
    assert error.key == key and f"(found {found})" in error.expected
    assert "\x1b" not in str(error) and "\x9b" not in str(error)


def test_multiline_text_may_hold_newlines_and_tabs_where_it_makes_sense(tmp_path):
    path = tmp_path / "s.toml"
    text = TWO_PARTY_TOML.replace('description = "', 'description = """Two lines:\n\tthe second.\n', 1)
    path.write_text(text.replace('Nash point (0.3, 0.7)."', 'Nash point (0.3, 0.7)."""'))
    assert load_scenario(path).meta.description.startswith("Two lines:\n\tthe second.\n")
    check_tree({"clause": [{"note": "a\nb", "source": "c\td"}], "meta": {"description": "e\nf"}}, "ledger.toml")
    with pytest.raises(ScenarioError, match="found '\\\\x1b'"):
        check_tree({"clause": [{"note": "a\x1bb"}]}, "ledger.toml")


def test_experiment_and_ledger_files_are_checked_too(tmp_path):
    experiment = tmp_path / "e.toml"
    text = (ROOT / "experiments" / "mediator_bias.toml").read_text()
    experiment.write_text(text.replace('description = "', 'description = "\\u001b]0;x', 1))
    assert _refused(lambda: load_experiment(experiment)).key == "experiment.description"
    ledger = tmp_path / "l.toml"
    shipped = (SCENARIOS / "history" / "geneva_vs_anchorage_2025.toml").read_text()
    ledger.write_text(shipped.replace('source = "', 'source = "\\u001b[31m', 1))
    assert _refused(lambda: load_ledger(ledger)).key.endswith(".source")
    raw, _ = read_toml(SCENARIOS / "history" / "geneva_vs_anchorage_2025.toml")
    assert tomllib.loads(shipped) == raw


# -- property: any values inside the ranges run, or are refused in one line --------------------------


def _numeric_paths(tree, prefix: str = ""):
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _numeric_paths(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(tree, list | tuple):
        for i, value in enumerate(tree):
            yield from _numeric_paths(value, f"{prefix}.{i}")
    elif isinstance(tree, int | float) and not isinstance(tree, bool):
        yield prefix


def _inside(valid: FieldRange) -> st.SearchStrategy:
    """Values of the range, its ends (or their nearest inner neighbours) often."""
    low, high = valid.inner
    if valid.integer:
        return st.integers(math.ceil(low), math.floor(high))
    return st.one_of(st.sampled_from([low, high]), st.floats(low, high, allow_nan=False))


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_values_inside_the_ranges_run_with_finite_outputs_or_are_refused(teaching, data):
    s = teaching[data.draw(st.sampled_from(TEACHING))]
    paths = data.draw(st.lists(st.sampled_from(list(_numeric_paths(s.plain))), min_size=1, max_size=6, unique=True))
    values = {path: data.draw(_inside(field_range(Scenario, path)), label=path) for path in paths}
    CASES["values"] += 1
    try:
        changed = s.with_values(values)
    except ScenarioError as error:  # a cross-field rule, such as a red line that must hold the ideal
        assert str(error).isprintable()
        CASES["refused"] += 1
        return
    outcomes = run_ensemble(changed, 5, progress=False).outcomes
    CASES["ran"] += 1
    columns = [c for c in outcomes.columns if c.startswith(("utility_", "payoff_"))]
    assert np.isfinite(outcomes[columns].to_numpy(float)).all()
    deals = outcomes[outcomes["status"].astype(str) == "deal"]
    clauses = [f"x_{c}" for c in s.clause_ids]
    assert np.isfinite(deals[clauses].to_numpy(float)).all()
