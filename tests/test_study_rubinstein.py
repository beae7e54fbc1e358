"""The Rubinstein study runs small and matches the closed form."""

from conftest import load_study


def test_rubinstein_study_small(tmp_path):
    study = load_study("rubinstein")
    summary = study.run(tmp_path, small=True)
    long = summary[summary["horizon"] == study.LONG]
    assert len(long) == 2 and (long["max_abs_error"] <= study.TOLERANCE).all()
    assert (summary["max_error_vs_finite_spe"] <= 1e-9).all()
    assert (summary["agreed_round_1"] == 1.0).all()
    for name in (
        "rubinstein_shares.png",
        "rubinstein_error.png",
        "rubinstein_summary.csv",
        "rubinstein_summary.md",
        "rubinstein_sweep.csv",
    ):
        assert (tmp_path / name).stat().st_size > 0
