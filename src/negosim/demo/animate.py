"""``negosim animate``: one world as an animation for slides, one frame per round.

    negosim animate [SCENARIO] --seed S --out talks.gif [--fps 2] [--dpi 100]
    negosim animate --seed 3 --bias 0.5 --direct-channel --out biased.mp4

Each frame is the demo's views of one round on a 16:9 figure (mediation graph
with the round's messages, the text as a clause-by-round heat map beside the
reference texts, utilities and reservation values, the position index, the
round in words, and the round's headline as a caption). The pictures are
drawn by :mod:`negosim.demo.views`, the same code as the browser demo.

Levers left out keep the scenario's own values, so ``negosim animate --seed S``
shows the world ``negosim trace --seed S`` tells. GIF needs only Pillow; MP4
needs ffmpeg (on PATH, or from the imageio-ffmpeg package).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from negosim.arguments import add_set_option, positive_float, seed
from negosim.errors import UsageError

FORMATS = (".gif", ".mp4")
FFMPEG_HINT = "install ffmpeg (Debian: apt-get install -y ffmpeg) or 'pip install imageio-ffmpeg', or write a .gif"


def _pair(kind):
    def parse(text: str) -> tuple[str, object]:
        pid, sep, value = text.partition("=")
        if not sep or not pid:
            raise argparse.ArgumentTypeError(f"expected PARTY=VALUE, got {text!r}")
        try:
            return pid, kind(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r}: {value!r} is not a valid value") from None

    return parse


def add_parser(commands) -> None:
    from negosim.vocabulary import DeadlineKind, TacticKind  # not the levers module: building the parser stays light

    deadline_kinds, tactics = [k.value for k in DeadlineKind], [k.value for k in TacticKind]
    anim = commands.add_parser(
        "animate",
        help="draw one world as an animation for slides (GIF, or MP4 with ffmpeg), one frame per round",
        description="Draw one world round by round: the demo's views (graph and messages, text heat map, "
        "utilities and reservation values, position index, the round in words), one frame per round.",
    )
    anim.add_argument("scenario", nargs="?", help="scenario file or name (default: geneva_vs_anchorage)")
    anim.add_argument("--seed", type=seed, default=0, help="the world's seed (default 0)")
    anim.add_argument("--out", type=Path, required=True, help="output file: .gif, or .mp4 (needs ffmpeg)")
    anim.add_argument("--fps", type=positive_float, default=2.0, help="frames (rounds) per second (default 2)")
    anim.add_argument("--dpi", type=int, default=100, help="dots per inch of the 12.8 x 7.2 inch frame (default 100)")
    anim.add_argument("--force", action="store_true", help="replace an existing --out file")
    add_set_option(anim)
    levers = anim.add_argument_group("levers (default: the scenario's own values)")
    levers.add_argument("--bias", type=float, help="mediator bias, -1 (low pole) .. +1 (high pole)")
    levers.add_argument("--deadline", choices=deadline_kinds, help="kind of the first deadline")
    levers.add_argument(
        "--pressure",
        type=_pair(float),
        action="append",
        default=[],
        metavar="PARTY=X",
        help="mediator pressure on a principal per round, e.g. UA=0.02 (repeatable)",
    )
    levers.add_argument(
        "--tactic",
        type=_pair(str),
        action="append",
        default=[],
        metavar="PARTY=KIND",
        help=f"a principal's tactic ({', '.join(tactics)}), e.g. RU=conceder (repeatable)",
    )
    levers.add_argument("--drift", type=float, help="battlefield drift per round")
    levers.add_argument("--direct-channel", action="store_true", help="open a full channel between the principals")
    anim.set_defaults(handler=cmd_animate)


def ffmpeg_path() -> str | None:
    """ffmpeg on PATH (or matplotlib's configured path), else imageio-ffmpeg's binary, else None."""
    import matplotlib

    configured = matplotlib.rcParams["animation.ffmpeg_path"]
    found = shutil.which(configured)
    if found:
        return found
    try:
        import imageio_ffmpeg
    except ImportError:
        return None
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError:
        return None


def _writer(suffix: str, fps: float):
    from matplotlib import animation

    if suffix == ".gif":
        return animation.PillowWriter(fps=fps)
    return animation.FFMpegWriter(fps=fps, codec="libx264", extra_args=["-pix_fmt", "yuv420p"])


def write_animation(model, out: Path, *, fps: float = 2.0, dpi: int = 100, progress: bool = False) -> int:
    """Run ``model`` (a DemoModel) to its end and write one frame per round played; return the frame count."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from negosim.demo import views

    suffix = out.suffix.lower()
    model.run()
    record = views.Record.of(model)
    frames = model.round
    fig = Figure(figsize=(12.8, 7.2), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.stem}.partial{suffix}")
    settings = {}
    if suffix == ".mp4":
        settings["animation.ffmpeg_path"] = ffmpeg_path()
    try:
        with matplotlib.rc_context(settings):
            writer = _writer(suffix, fps)
            with writer.saving(fig, str(partial), dpi):
                for r in range(frames):
                    views.dashboard(model, r, record, fig=fig)
                    writer.grab_frame()
                    if progress:
                        print(f"\rframe {r + 1}/{frames}", end="", file=sys.stderr, flush=True)
        if progress:
            print(file=sys.stderr)
        os.replace(partial, out)  # a reader never sees half a file
    finally:
        if partial.exists():
            partial.unlink()
    return frames


def cmd_animate(args: argparse.Namespace) -> int:
    from negosim.demo.levers import DemoModel, load_base, principals_ab
    from negosim.scenario import load_scenario, resolve_scenario

    suffix = args.out.suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(f"--out {args.out}: expected a .gif or .mp4 file")
    if suffix == ".mp4" and ffmpeg_path() is None:
        raise UsageError(f"--out {args.out}: writing MP4 needs ffmpeg, which was not found: {FFMPEG_HINT}")
    if args.out.is_dir():
        raise UsageError(f"--out {args.out} is a directory; give a file name")
    if (args.out.exists() or args.out.is_symlink()) and not args.force:
        raise UsageError(f"--out {args.out}: the file exists; pass --force to replace it")
    if not 10 <= args.dpi <= 600:
        raise UsageError(f"--dpi {args.dpi}: expected 10 to 600")

    from negosim.demo.levers import SET_ENV
    from negosim.scenario.overrides import apply_assignments

    path = resolve_scenario(args.scenario)
    apply_assignments(load_scenario(path), args.set)  # bad input: one line, exit 2
    os.environ[SET_ENV] = json.dumps(args.set)
    base = load_base(str(path))
    a, b = principals_ab(base)
    pressure, tactic = dict(args.pressure), dict(args.tactic)
    for pid in [*pressure, *tactic]:
        if pid not in base.principals:
            raise UsageError(f"{pid!r} is not a principal of {base.meta.name} ({', '.join(base.principals)})")
    extra = [pid for pid in [*pressure, *tactic] if pid not in (a, b)]
    if extra:
        raise UsageError(f"levers act on {a} and {b} only, not {', '.join(extra)}")
    try:
        model = DemoModel(
            str(path),
            seed=args.seed,
            deadline=args.deadline,
            bias=args.bias,
            drift=args.drift,
            pressure_a=pressure.get(a),
            pressure_b=pressure.get(b) if b else None,
            tactic_a=tactic.get(a),
            tactic_b=tactic.get(b) if b else None,
            direct_channel=args.direct_channel,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    frames = write_animation(model, args.out, fps=args.fps, dpi=args.dpi, progress=sys.stderr.isatty())
    status = model.outcomes()["status"].iloc[0]
    width, height = round(12.8 * args.dpi), round(7.2 * args.dpi)
    print(
        f"Wrote {args.out}: {frames} frames (one per round), {args.fps:g} per second, {width}x{height}; "
        f"{base.meta.name} seed {args.seed} ends in {status} after {frames} rounds"
    )
    return 0
