"""The Zeuthen study runs small and ends within tolerance of the Nash point."""

from conftest import load_study


def test_zeuthen_study_small(tmp_path):
    study = load_study("zeuthen")
    summary = study.run(tmp_path, small=True)
    assert len(summary) == 2
    assert (summary["deals"] == 1.0).all()
    assert (summary["max_distance"] <= study.TOLERANCE).all() and summary["within_0.02"].all()
    base, raised = summary.iloc[0], summary.iloc[1]
    assert abs(base["nash_X"] - 0.3) < 1e-3 and abs(base["nash_Y"] - 0.7) < 1e-3
    assert raised["nash_X"] < base["nash_X"] and raised["zeuthen_X"] < base["zeuthen_X"]  # toward A
    for name in (
        "zeuthen_path.png",
        "zeuthen_utility_path.png",
        "zeuthen_summary.csv",
        "zeuthen_summary.md",
        "zeuthen_outcomes.csv",
    ):
        assert (tmp_path / name).stat().st_size > 0
