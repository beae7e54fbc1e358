"""negosim backtest: a run scored against a ledger of what happened; bad ledgers get one line."""

import json
import math
from pathlib import Path

import pytest

from negosim import load_scenario, run_ensemble
from negosim.analysis.backtest import brier, log_score
from negosim.cli import main
from negosim.scenario.ledger import check_ledger, load_ledger

LEDGER = "geneva_vs_anchorage_2025"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("flagship") / "run"
    run_ensemble("geneva_vs_anchorage", 120, out=out, progress=False, figures=False)
    return out


def test_the_shipped_ledger_speaks_of_the_flagship():
    ledger = load_ledger(LEDGER)
    check_ledger(ledger, load_scenario("geneva_vs_anchorage"))
    assert ledger.meta.as_of.isoformat() == "2025-12-31"
    assert all(q.source for q in ledger.question) and all(c.source for c in ledger.clause)
    assert not any(q.outcome for q in ledger.question)  # by 31 Dec 2025 nothing asked had happened


def test_scores_follow_their_definitions():
    assert brier(0.0, False) == 0.0 and brier(1.0, False) == 1.0 and brier(0.25, True) == 0.5625
    assert math.isclose(log_score(0.5, True), math.log(2)) and log_score(0.9, False) > log_score(0.1, False)


def test_backtest_writes_scores_for_the_model_baselines_and_forecasters(run_dir, capsys):
    assert main(["backtest", str(run_dir), LEDGER, "--worlds", "60"]) == 0
    printed = capsys.readouterr().out
    folder = run_dir / f"backtest-{LEDGER}"
    for name in ("backtest.md", "backtest.json", "backtest.png"):
        assert (folder / name).stat().st_size > 0, name
    scores = json.loads((folder / "backtest.json").read_text())
    questions = scores["totals"]["questions"]
    assert {"model", "still", "Polymarket 2025-12-09"} <= set(questions)
    assert questions["Polymarket 2025-12-09"]["brier"] == pytest.approx((0.06 - 0) ** 2)
    clauses = scores["totals"]["clauses"]
    assert set(clauses) == {"model", "still", "weighted_mean"}
    for who in clauses.values():
        assert 0 <= who["accuracy"] <= 1 and who["n"] == len(load_ledger(LEDGER).clause)
    # each clause entry's state shares are a distribution over agreed, open, deferred
    for row in scores["clauses"]:
        assert math.isclose(row["model_agreed"] + row["model_open"] + row["model_deferred"], 1.0)
    assert "| negosim |" in printed


BAD = [
    ('scenario = "geneva_vs_anchorage"', 'scenario = "camp_david"', "meta.scenario"),
    ('id = "ARMY_CAP"', 'id = "ARMY_SIZE"', "clause."),
    ('state = "open"', 'state = "half-open"', "clause."),
    ("outcome = false", 'outcome = "perhaps"', "question."),
    ('question = "ceasefire_by_2025-12-31"', 'question = "peace_by_2030"', "forecaster."),
    ("p = 0.06", "p = 6", "forecaster."),
    ("[meta]", "[meta]\nextra = 1", "meta.extra"),
]


@pytest.mark.parametrize("old,new,key", BAD)
def test_a_bad_ledger_is_one_line_naming_file_and_key(run_dir, tmp_path, capsys, old, new, key):
    text = load_ledger(LEDGER).source
    body = Path(text).read_text(encoding="utf-8")
    assert old in body
    bad = tmp_path / "bad.toml"
    bad.write_text(body.replace(old, new, 1), encoding="utf-8")
    out = tmp_path / "scores"
    assert main(["backtest", str(run_dir), str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(bad) in err and key in err, err
    assert not out.exists()


def test_a_missing_run_or_ledger_is_one_line(run_dir, tmp_path, capsys):
    assert main(["backtest", str(tmp_path / "nothing"), LEDGER]) == 2
    assert main(["backtest", str(run_dir), str(tmp_path / "nope.toml")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 2
