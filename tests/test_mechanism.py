"""A mechanism file: behaviour that scenarios share (tactic, noise, walkout patience, the
mediator's step), included by name; a scenario may not also set or draw those keys."""

import re
from pathlib import Path

import pytest

from negosim import load_scenario
from negosim.cli import main
from negosim.scenario import shipped_scenarios
from negosim.scenario.mechanism import impose_mechanism, load_mechanism

CASES = ("camp_david", "dayton", "good_friday")


@pytest.mark.parametrize("name", CASES)
def test_the_cases_share_one_mechanism(name):
    scenario, shared = load_scenario(name), load_mechanism("shared")
    assert scenario.mechanism == "shared"
    assert scenario.mediator.step == shared.mediator.step
    for pid in scenario.principals:
        party = scenario.parties[pid]
        assert party.tactic.kind == shared.principals.tactic
        assert party.tactic.effective_exponent == shared.principals.exponent
        assert party.noise == shared.principals.noise
        assert party.walkout.patience == shared.principals.walkout_patience


def _case_text(name="camp_david"):
    return shipped_scenarios()[name].read_text()


@pytest.mark.parametrize(
    "old,new,key",
    [
        ("[parties.EG.walkout]\n", "[parties.EG.walkout]\npatience = 3\n", "parties.EG.walkout.patience"),
        ("\n[uncertainty]\n", '\n[uncertainty]\n"parties.IL.noise" = { dist = "uniform", low = 0.0, high = 0.1 }\n',
         "uncertainty.parties.IL.noise"),
        ('mechanism = "shared"', 'mechanism = "no_such_mechanism"', "no_such_mechanism"),
    ],
)  # fmt: skip
def test_a_key_the_mechanism_owns_set_in_the_scenario_is_one_line(tmp_path, capsys, old, new, key):
    text = _case_text()
    assert old in text
    path = tmp_path / "case.toml"
    path.write_text(text.replace(old, new, 1))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and key in err[0]


def test_a_mechanism_file_beside_the_scenario_is_found_and_checked(tmp_path, capsys):
    shared = load_mechanism("shared").source
    mine = tmp_path / "mine.toml"
    mine.write_text(re.sub(r"(?m)^exponent = [0-9.]+", "exponent = 0.4", Path(shared).read_text()))
    path = tmp_path / "case.toml"
    path.write_text(_case_text().replace('mechanism = "shared"', 'mechanism = "mine.toml"', 1))
    scenario = load_scenario(path)
    assert all(scenario.parties[p].tactic.effective_exponent == 0.4 for p in scenario.principals)
    mine.write_text(re.sub(r"(?m)^noise = [0-9.]+", "noise = 3.0", Path(shared).read_text()))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(mine) in err[0] and "principals.noise" in err[0]


def test_impose_replaces_a_scenarios_own_behaviour_and_its_draws():
    flagship = load_scenario("geneva_vs_anchorage")
    assert flagship.mechanism is None and "parties.RU.tactic.exponent" in flagship.uncertainty
    imposed = impose_mechanism(flagship, load_mechanism("shared"))
    assert imposed.mechanism == "shared"
    assert not any(path.startswith(("parties.RU.tactic", "parties.UA.tactic")) for path in imposed.uncertainty)
    assert imposed.parties["RU"].tactic.effective_exponent == imposed.parties["UA"].tactic.effective_exponent
    assert imposed.parties["RU"].reservation == flagship.parties["RU"].reservation  # facts untouched
