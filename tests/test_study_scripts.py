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


def test_a_study_never_writes_into_a_folder_of_other_files(tmp_path, capsys):
    (tmp_path / "thesis.md").write_text("mine")
    with pytest.raises(SystemExit) as exit_:
        load_study("tactics").main(["--small", "--out", str(tmp_path)])
    assert exit_.value.code == 2
    assert "holds files a study did not write" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.md"]
