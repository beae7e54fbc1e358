"""Study: one mechanism across the four real cases, fitted on three and scored on the fourth
(experiments/leave_one_out.py), at its small size."""

import pytest

from conftest import run_study


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return run_study("leave_one_out", tmp_path_factory)


def test_every_case_is_held_out_once_and_scored_beside_its_baselines(study):
    module, table, out = study
    assert sorted(table["case"]) == sorted(module.CASES)
    for name in ("leave_one_out.md", "leave_one_out.csv", "grid_scores.csv", "leave_one_out.png"):
        assert (out / name).stat().st_size > 0, name
    assert table[["brier", "brier_nothing_moves", "mae", "mae_start_text", "mae_weighted_mean"]].notna().all().all()
    assert ((table["brier"] >= 0) & (table["brier"] <= 1)).all()


def test_the_held_out_point_is_the_best_on_the_other_three(study):
    module, table, out = study
    import pandas as pd

    scores = pd.read_csv(out / "grid_scores.csv")
    for _, row in table.iterrows():
        others = scores[scores["case"] != row["case"]].groupby(module.POINT)["brier"].mean()
        assert others.min() == pytest.approx(row["training_brier"])
        assert others.loc[tuple(row[module.POINT])] == pytest.approx(others.min())


def test_a_case_never_scores_its_own_fit(study):
    """Leave-one-out: the point chosen for a case is chosen without its score, so changing that
    case's scores cannot change its chosen point."""
    module, table, out = study
    import pandas as pd

    scores = pd.read_csv(out / "grid_scores.csv")
    case = table["case"].iloc[0]
    shaken = scores.copy()
    shaken.loc[shaken["case"] == case, "brier"] = shaken.loc[shaken["case"] == case, "brier"][::-1].to_numpy()
    again = module.held_out(shaken).set_index("case")
    assert tuple(again.loc[case, module.POINT]) == tuple(table.set_index("case").loc[case, module.POINT])
