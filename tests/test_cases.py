"""The real cases beside the flagship (Camp David 1978, Dayton 1995, Good Friday 1998): sourced
scenarios that run and tell one world, and ledgers of how each ended that score any run of it."""

import json
import re

import numpy as np
import pytest

from negosim import load_scenario, run_ensemble
from negosim.cli import main
from negosim.scenario import shipped_scenarios
from negosim.scenario.ledger import check_ledger, load_ledger, shipped_ledgers

CASES = {"camp_david": "camp_david_1978", "dayton": "dayton_1995", "good_friday": "good_friday_1998"}
REAL = {"geneva_vs_anchorage": "geneva_vs_anchorage_2025", **CASES}
TAG = re.compile(r"#.*\[(S|A|M)\]")


@pytest.mark.parametrize("name", sorted(REAL))
def test_every_value_of_a_real_case_says_where_it_comes_from(name):
    untagged = [
        f"{number}: {line.strip()}"
        for number, line in enumerate(shipped_scenarios()[name].read_text().splitlines(), 1)
        if "=" in line.split("#")[0] and not TAG.search(line)
    ]
    assert not untagged, f"{name}: values without [S], [A] or [M]:\n" + "\n".join(untagged[:10])


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_case_has_its_ledger_and_the_clauses_the_issue_asks_for(name):
    scenario = load_scenario(name)
    assert 8 <= len(scenario.clause_ids) <= 15
    assert scenario.index_from is not None, "a case places its deals between the two openings"
    ledger = load_ledger(CASES[name])
    assert CASES[name] in shipped_ledgers()
    check_ledger(ledger, scenario)
    assert ledger.question and ledger.clause
    assert all(q.source for q in ledger.question) and all(c.source for c in ledger.clause)
    assert any(q.outcome for q in ledger.question), "each of these talks ended in a signed text"


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_text_of_a_case_is_its_final_text(name):
    """The ledger holds the ending; the scenario must not: no reference text matches the ledger's
    final values on every clause the ledger gives a value for."""
    scenario, ledger = load_scenario(name), load_ledger(CASES[name])
    final = {c.id: c.value for c in ledger.clause if c.value is not None}
    assert final, "a case's ledger gives some final clause values"
    for text_id, text in scenario.texts.items():
        assert not all(np.isclose(text.values[c], v, atol=0.02) for c, v in final.items()), text_id


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_case_runs_tells_one_world_and_is_scored_by_its_ledger(name, tmp_path, capsys):
    out = tmp_path / name
    run_ensemble(name, 40, out=out, progress=False, figures=False)
    assert main(["backtest", str(out), CASES[name], "--worlds", "20"]) == 0
    scores = json.loads((out / f"backtest-{CASES[name]}" / "backtest.json").read_text())
    assert set(scores["totals"]["clauses"]) == {"model", "still", "weighted_mean"}
    assert scores["totals"]["clauses"]["model"]["n"] == len(load_ledger(CASES[name]).clause)
    assert "model" in scores["totals"]["questions"]
    capsys.readouterr()
    assert main(["trace", name, "--seed", "1"]) == 0
    told = capsys.readouterr().out
    assert f"{name}, seed 1" in told
    assert any(party in told for party in load_scenario(name).party_ids)
