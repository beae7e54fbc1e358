"""A mechanism file: behaviour that scenarios share (tactic, noise, walkout patience, the
mediator's step), included by name; a scenario may not also set or draw those keys."""

import re
from pathlib import Path

import pytest

from negosim import load_scenario, run_ensemble
from negosim.cli import main
from negosim.scenario import shipped_scenarios
from negosim.scenario.mechanism import MechanismMeta, impose_mechanism, load_mechanism

CASES = ("geneva_vs_anchorage", "camp_david", "dayton", "good_friday")


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
    draws = shared.draws(scenario.principals)  # each principal draws its own value from the shared range
    assert len(draws) == len(shared.uncertainty) * len(scenario.principals)
    for path, entry in draws.items():
        assert scenario.uncertainty[path].model_dump(exclude_none=True) == entry


def test_each_principal_draws_its_own_value_from_the_shared_range():
    out = run_ensemble(load_scenario("camp_david"), 40, progress=False).outcomes
    egypt, israel = out["param:parties.EG.tactic.exponent"], out["param:parties.IL.tactic.exponent"]
    low, high = load_mechanism("shared").uncertainty["principals.exponent"].support()
    assert egypt.between(low, high).all() and israel.between(low, high).all()
    assert (egypt != israel).all() and egypt.nunique() == 40


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
    mine.write_text(Path(shared).read_text().replace("low = 0.15, high = 0.45", "low = 0.15, high = 80.0"))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(mine) in err[0] and "uncertainty.principals.exponent" in err[0]


def test_a_mechanism_range_on_a_key_it_cannot_draw_is_one_line(tmp_path, capsys):
    shared = Path(load_mechanism("shared").source).read_text()
    mine = tmp_path / "mine.toml"
    mine.write_text(shared + '"principals.walkout_patience" = { dist = "choice", values = [3, 7] }\n')
    path = tmp_path / "case.toml"
    path.write_text(_case_text().replace('mechanism = "shared"', 'mechanism = "mine.toml"', 1))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(mine) in err[0] and "principals.walkout_patience" in err[0]


def test_impose_replaces_a_scenarios_own_behaviour_and_its_draws():
    flagship = load_scenario("geneva_vs_anchorage")
    assert flagship.mechanism == "shared" and "parties.RU.tactic.exponent" in flagship.uncertainty
    point = load_mechanism("shared").model_copy(update={"uncertainty": {}, "meta": MechanismMeta(name="point")})
    point = point.model_copy(update={"principals": point.principals.model_copy(update={"exponent": 3.0})})
    imposed = impose_mechanism(flagship, point)
    assert imposed.mechanism == "point" and imposed.parties["UA"].tactic.effective_exponent == 3.0
    assert not any(path.startswith(("parties.RU.tactic", "parties.UA.tactic")) for path in imposed.uncertainty)
    assert imposed.parties["RU"].tactic.effective_exponent == imposed.parties["UA"].tactic.effective_exponent
    assert imposed.parties["RU"].reservation == flagship.parties["RU"].reservation  # facts untouched
