"""`negosim animate`: one frame per round, GIF always, MP4 with ffmpeg or a clear error."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from negosim.cli import main
from negosim.demo import animate, views
from negosim.demo.levers import DemoModel
from negosim.plots.check import clipped_text

pytestmark = pytest.mark.slow


def test_gif_has_one_frame_per_round(tmp_path, capsys):
    out = tmp_path / "slides" / "talks.gif"  # the folder is made
    assert main(["animate", "teaching_two_party", "--seed", "3", "--out", str(out), "--fps", "4", "--dpi", "60"]) == 0
    played = DemoModel("teaching_two_party", seed=3).run().round
    with Image.open(out) as gif:
        assert gif.n_frames == played
        assert gif.size == (768, 432)  # 12.8 x 7.2 inches at 60 dpi
        assert gif.info["duration"] == 250
    assert out.stat().st_size > 100_000
    assert not list(out.parent.glob(".*partial*"))  # no leftovers
    said = capsys.readouterr().out
    assert f"{played} frames (one per round)" in said and "teaching_two_party seed 3 ends in" in said


def test_mp4_without_ffmpeg_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(animate, "ffmpeg_path", lambda: None)
    out = tmp_path / "talks.mp4"
    assert main(["animate", "--seed", "0", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "writing MP4 needs ffmpeg" in err and "apt-get install -y ffmpeg" in err and err.count("\n") == 1
    assert not out.exists()


def test_mp4_with_ffmpeg(tmp_path):
    if animate.ffmpeg_path() is None:
        pytest.skip("no ffmpeg here (apt-get install -y ffmpeg, or pip install imageio-ffmpeg)")
    out = tmp_path / "talks.mp4"
    assert main(["animate", "teaching_two_party", "--seed", "0", "--out", str(out), "--dpi", "40"]) == 0
    assert out.stat().st_size > 10_000
    assert out.read_bytes()[4:8] == b"ftyp"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["animate", "--out", "x.avi"], "expected a .gif or .mp4 file"),
        (["animate", "--seed", "0"], "the following arguments are required: --out"),
        (["animate", "--out", "x.gif", "--pressure", "US=0.1"], "'US' is not a principal"),
        (["animate", "--out", "x.gif", "--pressure", "UA"], "expected PARTY=VALUE"),
        (["animate", "--out", "x.gif", "--tactic", "RU=stubborn"], "tactic must be one of"),
        (["animate", "--out", "x.gif", "--bias", "2"], "bias must lie in [-1, 1]"),
        (["animate", "--out", "x.gif", "--fps", "0"], "expected a positive, finite number"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not list(tmp_path.iterdir())


def test_an_existing_file_is_replaced_only_with_force(tmp_path, capsys):
    out = tmp_path / "talks.gif"
    out.write_bytes(b"a teacher's own slide")
    assert main(["animate", "teaching_two_party", "--out", str(out), "--dpi", "20"]) == 2
    assert out.read_bytes() == b"a teacher's own slide"
    assert "pass --force to replace it" in capsys.readouterr().err
    assert main(["animate", "teaching_two_party", "--out", str(out), "--dpi", "20", "--force"]) == 0
    assert out.read_bytes()[:6] == b"GIF89a"


@pytest.mark.parametrize("scenario", ["geneva_vs_anchorage", "good_friday"])
def test_no_frame_clips_its_words(scenario):
    """The busiest rounds and the last one: every caption, title and line of the narrative on the canvas."""
    model = DemoModel(scenario, seed=0)
    for _ in range(60):
        if not model.running:
            break
        model.step()
    record = views.Record.of(model)
    busiest = record.events.groupby("round").size().sort_values(ascending=False).index[:3].tolist()
    for r in {*busiest, model.round - 1}:
        fig = views.dashboard(model, int(r), record)
        FigureCanvasAgg(fig)  # as animate draws it
        assert clipped_text(fig) == [], r
