"""Every study script takes the same command line (negosim.runs.study.study_main)."""

import pytest

from conftest import ROOT, load_study

STUDIES = sorted(p.stem for p in (ROOT / "experiments").glob("*.py"))
TAKES_PROCESSES = {"flagship", "flagship_sensitivity", "flagship_split", "mediator_bias_leverage", "topology"}


@pytest.mark.parametrize("name", STUDIES)
def test_study_scripts_share_their_options(name, capsys):
    with pytest.raises(SystemExit) as exit_:
        load_study(name).main(["--help"])
    assert exit_.value.code == 0
    usage = capsys.readouterr().out
    assert "--out OUT" in usage and "--small" in usage
    assert ("--processes" in usage) == (name in TAKES_PROCESSES)


def test_a_bad_option_is_one_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        load_study("tactics").main(["--seeds", "3"])
    assert exit_.value.code == 2
    assert "unrecognized arguments: --seeds 3" in capsys.readouterr().err
