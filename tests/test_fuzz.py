"""Any input gets a clear answer: mutated scenario and experiment files, and
random command lines, either run or fail with one line and exit status 2."""

import copy
import datetime as dt
import math
import tomllib

import tomli_w
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import SCENARIOS, run_cli

BASES = {
    name: tomllib.loads((SCENARIOS / f"{name}.toml").read_text())
    for name in ("geneva_vs_anchorage", "teaching_two_party", "teaching_three_party")
}
CASES = {"scenario": 0, "experiment": 0, "argv": 0}


def _paths(node, prefix=()):
    """Every key path of a parsed TOML tree (dict keys and list indices)."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


def _get(node, path):
    for part in path:
        node = node[part]
    return node


WEIRD = st.sampled_from(
    [
        math.nan,
        math.inf,
        -math.inf,
        -1e300,
        1e300,
        -1,
        0,
        2,
        10**18,
        "",
        "x" * 300,
        "US",
        True,
        [],
        [1, 2],
        {},
        {"dist": "normal"},
        dt.date(1900, 1, 1),
        dt.date(2999, 12, 31),
        0.5,
        -0.5,
    ]
)


@st.composite
def mutants(draw):
    name = draw(st.sampled_from(sorted(BASES)))
    raw = copy.deepcopy(BASES[name])
    kind = draw(
        st.sampled_from(
            [
                "delete",
                "replace",
                "duplicate_clause",
                "unknown_channel",
                "no_channels",
                "cut_principal",
                "zero_salience",
                "dates_backwards",
                "absurd_horizon",
            ]
        )
    )
    if kind in ("delete", "replace"):
        paths = [p for p in _paths(raw) if p]
        path = draw(st.sampled_from(paths))
        parent = _get(raw, path[:-1])
        if kind == "delete":
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(WEIRD)
    elif kind == "duplicate_clause":
        raw["clauses"].append(copy.deepcopy(raw["clauses"][0]))
    elif kind == "unknown_channel":
        raw["channels"][0]["to"] = "NOBODY"
    elif kind == "no_channels":
        raw["channels"] = []
    elif kind == "cut_principal":
        principal = next(p for p, v in raw["parties"].items() if v["role"] == "principal")
        raw["channels"] = [c for c in raw["channels"] if principal not in (c["from"], c["to"])] or raw["channels"][:1]
    elif kind == "zero_salience":
        party = draw(st.sampled_from(sorted(raw["parties"])))
        raw["parties"][party]["salience"] = {k: 0.0 for k in raw["parties"][party]["salience"]}
    elif kind == "dates_backwards":
        raw["calendar"]["start"], raw["calendar"]["horizon"] = raw["calendar"]["horizon"], raw["calendar"]["start"]
    else:
        raw["calendar"]["horizon"] = dt.date(2400, 1, 1)
    return raw


def _run_cli(argv):
    status, _, err = run_cli(argv)
    return status, err


def _assert_clear(status, err, path):
    assert status in (0, 2), (status, err)
    if status == 2:
        assert err.count("\n") == 1, err
        assert "Traceback" not in err
        if path is not None:
            assert str(path) in err


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=mutants())
def test_mutated_scenarios_run_or_fail_clearly(tmp_path_factory, raw):
    CASES["scenario"] += 1
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "mutant.toml"
    try:
        path.write_text(tomli_w.dumps(raw))
    except (TypeError, ValueError):
        return  # not representable as TOML at all (e.g. a None); nothing to feed the CLI
    status, err = _run_cli(["run", str(path), "--seeds", "3", "--out", str(folder / "out"), "--quiet", "--no-figures"])
    _assert_clear(status, err, path)
    if status == 2:
        assert not (folder / "out").exists(), "no half-written output"


EXPERIMENT = {
    "experiment": {
        "name": "fz",
        "scenario": "teaching_two_party",
        "design": "full_factorial",
        "points": 4,
        "seeds": 3,
        "seed": 0,
    },
    "axes": {
        "mediator.bias": {"values": [-0.2, 0.2]},
        "parties.A.reservation.base": {"low": 0.4, "high": 0.6, "steps": 2},
    },
}


@st.composite
def experiment_mutants(draw):
    raw = copy.deepcopy(EXPERIMENT)
    path = draw(st.sampled_from([p for p in _paths(raw) if p]))
    parent = _get(raw, path[:-1])
    if draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(WEIRD)
    return raw


def _with_scenario(name):
    raw = copy.deepcopy(EXPERIMENT)
    raw["experiment"]["scenario"] = name
    return raw


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=experiment_mutants())
@example(raw=_with_scenario(""))  # resolved to "." once: a directory, and the error named neither file nor key
@example(raw=_with_scenario("x" * 300))  # too long for a file name: a traceback once
def test_mutated_experiment_files_run_or_fail_clearly(tmp_path_factory, raw):
    CASES["experiment"] += 1
    folder = tmp_path_factory.mktemp("fuzzx")
    path = folder / "exp.toml"
    try:
        path.write_text(tomli_w.dumps(raw))
    except (TypeError, ValueError):
        return
    status, err = _run_cli(["sweep", str(path), "--out", str(folder / "out"), "--quiet", "--no-figures"])
    _assert_clear(status, err, path)


WORDS = [
    "run",
    "trace",
    "sweep",
    "plot",
    "validate",
    "--seeds",
    "--seed",
    "--out",
    "--processes",
    "--chunk-size",
    "--first-seed",
    "--force",
    "--quiet",
    "--dask-local",
    "--scheduler",
    "-1",
    "0",
    "2",
    "abc",
    "1e9",
    "99999999999999999999",
    "teaching_two_party",
    "nope.toml",
    "--nonsense",
    "",
    "x" * 300,
]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=st.lists(st.sampled_from(WORDS), max_size=6))
@example(argv=["run", "x" * 300, "--seeds", "2"])  # too long for a file name: a traceback once
@example(argv=["plot", "x" * 300])  # a run folder too long for a file name: exit 1 once, now exit 2
def test_random_command_lines_run_or_fail_clearly(tmp_path_factory, argv):
    CASES["argv"] += 1
    folder = tmp_path_factory.mktemp("argv")
    # keep anything that would write, or start a cluster, inside the sandbox and small
    argv = [str(folder / "o") if a == "--out" else a for a in argv]
    if "--dask-local" in argv or "--scheduler" in argv:
        return
    if "run" in argv and "--seeds" not in argv:
        argv += ["--seeds", "2"]
    if "--seeds" in argv:
        i = argv.index("--seeds")
        if i + 1 < len(argv) and argv[i + 1] in ("1e9", "99999999999999999999"):
            argv[i + 1] = "3"
    argv += ["--out", str(folder / "default")] if argv[:1] in (["run"], ["sweep"]) and "--out" not in argv else []
    status, err = _run_cli(argv)
    assert status in (0, 2), (argv, status, err)
    if status == 2:
        assert err.count("\n") == 1 and "Traceback" not in err, (argv, err)
