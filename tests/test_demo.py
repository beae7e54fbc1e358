"""The teaching demo without a browser: levers, the model SolaraViz re-creates, views, CLI, assets."""

from __future__ import annotations

import inspect
import io
import os
import re
import socket
import stat
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from negosim.cli import main
from negosim.demo import graph_view, views
from negosim.demo.levers import DemoModel, apply_levers, lever_defaults
from negosim.vocabulary import Outcome


# -- levers ------------------------------------------------------------------------------
def test_lever_defaults_are_the_flagship_values(flagship):
    d = lever_defaults(flagship)
    assert d == {
        "seed": 0,
        "deadline": "soft",
        "pressure_a": 0.01,
        "pressure_b": 0.004,
        "bias": 0.25,
        "tactic_a": "boulware",  # the shared mechanism's tactic (shipped/mechanisms/shared.toml)
        "tactic_b": "boulware",
        "drift": 0.002,
        "direct_channel": False,
    }


def test_each_lever_reaches_its_key_path(flagship):
    s = apply_levers(
        flagship,
        deadline="hard",
        pressure={"UA": 0.03, "RU": 0.02},
        bias=-0.5,
        tactic={"UA": "boulware", "RU": "tit_for_tat"},
        drift=-0.004,
        direct_channel=True,
    )
    assert s.deadlines[0].kind == "hard"
    assert s.mediator.leverage["UA"].per_round == 0.03 and s.mediator.leverage["RU"].per_round == 0.02
    assert s.mediator.bias == -0.5 and s.battlefield.drift == -0.004
    # A lever fixes its value: the scenario's per-world draws of it are dropped.
    assert "mediator.bias" in flagship.uncertainty and "mediator.bias" not in s.uncertainty
    assert "battlefield.drift" not in s.uncertainty
    # A new tactic kind brings its own exponent (the flagship's RU Boulware exponent 0.3 would make a Boulware).
    assert s.parties["UA"].tactic.kind == "boulware" and s.parties["UA"].tactic.effective_exponent == 0.3
    assert s.parties["RU"].tactic.kind == "tit_for_tat"
    direct = [ch for ch in s.channels if {ch.source, ch.target} == {"UA", "RU"}]
    assert len(direct) == 1 and direct[0].clauses is None
    # Untouched levers keep the scenario's own values.
    untouched = apply_levers(flagship)
    assert untouched.digest() == flagship.digest()


def test_levers_on_a_scenario_without_leverage_or_deadline(three_party):
    d = lever_defaults(three_party)
    assert d["deadline"] is None and d["pressure_a"] == 0.0
    s = apply_levers(three_party, pressure={"A": 0.01}, tactic={"B": "conceder"})
    assert s.mediator.leverage["A"].per_round == 0.01 and s.mediator.leverage["A"].maximum > 0
    with pytest.raises(ValueError, match="no deadline"):
        apply_levers(three_party, deadline="hard")
    with pytest.raises(ValueError, match="not a principal"):
        apply_levers(three_party, pressure={"M": 0.01})
    with pytest.raises(ValueError, match="tactic must be one of"):
        apply_levers(three_party, tactic={"A": "stubborn"})


def test_demo_model_is_what_solaraviz_needs():
    # SolaraViz's Reset calls type(model)(**params): every argument a keyword with a default.
    params = inspect.signature(DemoModel.__init__).parameters
    assert all(p.default is not inspect.Parameter.empty for name, p in params.items() if name != "self")
    assert not any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params.values())


def test_demo_model_levers_change_the_world():
    calm = DemoModel(seed=5, bias=-0.5)
    tilted = DemoModel(seed=5, bias=0.5)
    assert calm.spec.mediator.bias == -0.5 and tilted.spec.mediator.bias == 0.5
    calm.run(), tilted.run()
    assert not np.allclose(calm.mediator.text, tilted.mediator.text)
    assert "mediator bias -0.50" in calm.settings_line() and "mediator bias +0.50" in tilted.settings_line()
    assert len(calm.recorder.status_history) == calm.round  # one status row per round played


def test_demo_model_with_scenario_levers_is_the_trace_world(flagship):
    """Levers left at None: the same world as NegotiationModel (and `negosim trace`) with that seed."""
    from negosim import trace

    demo = DemoModel(seed=11).run()
    assert demo.recorder.tell() == trace(flagship, seed=11)


# -- the SolaraViz page's parameters -------------------------------------------------------
def test_model_params_match_the_model_and_mesa_accepts_them():
    pytest.importorskip("solara")
    from mesa.visualization.solara_viz import _check_model_params

    from negosim.demo.app import initial_kwargs, model_params

    params = model_params(None)
    model = DemoModel(**initial_kwargs(params))
    _check_model_params(model, params)  # raises on a parameter __init__ does not take
    assert set(params) <= set(inspect.signature(DemoModel.__init__).parameters)
    assert params["bias"]["value"] == 0.25 and params["deadline"]["values"] == ["hard", "soft", "absent"]
    assert model.spec.mediator.bias == 0.25


# -- views ---------------------------------------------------------------------------------
@pytest.mark.parametrize("scenario", [None, "teaching_three_party"])
def test_every_view_draws_before_during_and_after(scenario):
    model = DemoModel(scenario, seed=2)
    drawers = [views.draw_graph, views.draw_heatmap, views.draw_utilities, views.draw_position, views.draw_narrative]
    for stage in ("start", "middle", "end"):
        if stage == "middle":
            for _ in range(3):
                model.step()
        elif stage == "end":
            model.run()
        record = views.Record.of(model)
        for draw in drawers:
            fig = Figure(figsize=(5, 4))
            draw(fig.add_subplot(), model, record, model.round - 1)
            assert len(views.png(fig)) > 5_000
    assert views.outcome(model) in set(Outcome.labels())


def test_messages_follow_the_events_of_the_round():
    model = DemoModel(seed=0)
    model.step()
    record = views.Record.of(model)
    carried = graph_view.messages(model, record.events_of(0))
    labels = {edge: [label for _, label in items] for edge, items in carried.items()}
    assert "objects v0" in labels[("UA", "US")] and "objects v0" in labels[("RU", "US")]
    assert "comments" in labels[("E3", "US")]
    # Every arrow runs along a channel of the graph.
    assert all(model.graph.has_edge(*edge) for edge in carried)
    text = " ".join(views.narrative(record, 0))
    assert re.search(r"(signs|objects to) version \d+", text)


def test_with_a_direct_channel_russias_messages_take_the_faster_path(flagship):
    from negosim.engine.variants import choice_paths, draw_choices

    # a world whose US-Moscow shuttle takes 5 days (the flagship draws it per world) and Kyiv's channel 1
    picks = draw_choices(flagship, range(200))
    j_ru, j_ua = choice_paths(flagship).index("channels.1.latency"), choice_paths(flagship).index("channels.0.latency")
    seed = int(np.flatnonzero((picks[:, j_ru] == 4) & (picks[:, j_ua] == 0))[0])
    model = DemoModel(seed=seed, direct_channel=True)
    assert model.spec.channels[1].latency == 5
    # RU-US is 5 rounds; RU-UA-US is 1 + 1.
    assert graph_view._route(model, "RU", "US") == [("RU", "UA"), ("UA", "US")]


def test_dashboard_frame_names_round_and_outcome():
    model = DemoModel("teaching_two_party", seed=0).run()
    fig = views.dashboard(model)
    assert fig._suptitle.get_text().startswith("teaching_two_party, seed 0: Round")
    assert "[DEAL]" in fig._suptitle.get_text()


# -- the command line ----------------------------------------------------------------------
def test_demo_and_animate_are_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "demo" in out and "animate" in out
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    out = capsys.readouterr().out
    assert "--prepare-assets" in out and "127.0.0.1" in out and "8765" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["demo", "--port", "0"], "expected a port between 1 and 65535"),
        (["demo", "--port", "http"], "expected a port number"),
        (["demo", "no/such/scenario.toml"], "no/such/scenario.toml"),
    ],
)
def test_demo_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_demo_refuses_a_port_in_use(capsys, monkeypatch):
    pytest.importorskip("solara")
    from negosim.demo import command as demo

    monkeypatch.setattr(demo, "_ensure_assets", lambda: None)
    monkeypatch.setattr(demo, "serve", lambda *a, **k: pytest.fail("must not start a server"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["demo", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"port {port} on 127.0.0.1 is already in use" in err


# -- offline assets ------------------------------------------------------------------------
def test_required_assets_are_pinned_by_the_installed_solara():
    pytest.importorskip("solara")
    from negosim.demo import assets as demo_assets

    required = demo_assets.required()
    assert set(required) == set(demo_assets.NEEDED)
    assert all(re.fullmatch(r"\d+\.\d+\.\d+\S*", v) for v in required.values())


def _fake_npm(directory: Path) -> None:
    """An 'npm' that packs a one-file tarball for any spec, as npm pack prints it."""
    script = directory / "npm"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys, tarfile, io, os\n"
        "args = sys.argv[1:]\n"
        "spec = args[1]\n"
        "dest = args[args.index('--pack-destination') + 1]\n"
        "name = spec.lstrip('@').replace('/', '-').replace('@', '-') + '.tgz'\n"
        "with tarfile.open(os.path.join(dest, name), 'w:gz') as t:\n"
        "    data = ('/* ' + spec + ' */').encode()\n"
        "    info = tarfile.TarInfo('package/dist/x.js'); info.size = len(data)\n"
        "    t.addfile(info, io.BytesIO(data))\n"
        "print(name)\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def test_prepare_fills_the_cache_once(tmp_path, monkeypatch):
    pytest.importorskip("solara")
    from negosim.demo import assets as demo_assets

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake_npm(bin_dir)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    cache = tmp_path / "cdn"
    fetched = demo_assets.prepare(cache, quiet=True)
    assert len(fetched) == len(demo_assets.NEEDED)
    assert demo_assets.missing(cache) == []
    for name, version in demo_assets.required().items():
        served = cache / f"{name}@{version}" / "dist" / "x.js"  # the path the page asks the proxy for
        assert served.read_text() == f"/* {name}@{version} */"
    assert demo_assets.prepare(cache, quiet=True) == []  # idempotent


def test_prepare_without_npm_says_what_to_do(tmp_path, monkeypatch):
    pytest.importorskip("solara")
    from negosim.demo import assets as demo_assets

    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(demo_assets.AssetError, match="npm is not on PATH"):
        demo_assets.prepare(tmp_path / "cdn", quiet=True)


def test_unpack_refuses_paths_outside_the_package(tmp_path):
    from negosim.demo import assets as demo_assets

    tarball = tmp_path / "evil.tgz"
    with tarfile.open(tarball, "w:gz") as archive:
        info = tarfile.TarInfo("../escape.js")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(tarfile.FilterError):  # the 'data' filter refuses paths outside the target
        demo_assets._unpack(tarball, tmp_path / "cache" / "pkg@1.0.0")
    assert not (tmp_path / "escape.js").exists()


def test_moved_levers_are_listed_until_reset_applies_them():
    from negosim.demo.app import initial_kwargs, model_params, pending_levers

    params = model_params("geneva_vs_anchorage")
    model = DemoModel(**initial_kwargs(params))
    assert pending_levers(model, params, initial_kwargs(params)) == []
    moved = {**initial_kwargs(params), "bias": 0.1 + 0.2, "deadline": "hard"}
    assert pending_levers(model, params, moved) == [
        "Mediator bias (-1 Kyiv, +1 Moscow): 0.3 (now 0.25)",
        "Deadline (Thanksgiving) for UA: hard (now soft)",
    ]
    assert pending_levers(DemoModel(**moved), params, moved) == []  # Reset made a world with them


def test_every_shipped_scenario_draws_its_panels_with_its_own_levers():
    from negosim.demo import app
    from negosim.scenario import shipped_scenarios

    for name in shipped_scenarios():
        params = app.model_params(name)
        model = DemoModel(**app.initial_kwargs(params))
        for _ in range(3):
            model.step()
        markup = app.dashboard_html(model)
        first = model.spec.principals[0]
        assert f"pressure on {first}" in params["pressure_a"]["label"], name
        assert markup.count('class="negosim-title"') == 5 and f">{first}</text>" in markup, name
