"""The Solara page behind ``negosim demo``: one world, its levers, and what it shows.

The server loads this module as its app (``SOLARA_APP=negosim.demo.app``); the first
scenario comes from the environment variable ``NEGOSIM_DEMO_SCENARIO`` (a path or shipped
name; default the flagship) and the page's picker offers every shipped scenario. ``Page``
is rendered once per browser tab, and each render creates that tab's own model, so
students never step each other's worlds.

The page is built from Mesa's own parts, without SolaraViz's developer controls: Mesa's
ModelController (Reset, Play, Step) and ModelCreator (one input per lever, drawn from the
scenario by :func:`model_params`), and our panels (:mod:`negosim.demo.web`: the mediation
graph with this round's messages and a key to them, the round in words, the text as a
clause-by-round heat map, utilities and reservation values, the position index). A lever
moved since the last Reset is listed until Reset applies it.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import pandas as pd
import solara
from mesa.visualization.solara_viz import ModelController, ModelCreator
from mesa.visualization.utils import update_counter

from negosim.analysis.narrative import LEGEND
from negosim.demo import charts, many, views, web
from negosim.demo.levers import DEADLINE_KINDS, TACTICS, DemoModel, lever_defaults, load_base, principals_ab
from negosim.scenario import shipped_scenarios

SCENARIO_ENV = "NEGOSIM_DEMO_SCENARIO"
DEFAULT_SCENARIO = "geneva_vs_anchorage"
PLAY_MS = 300  # Play: one round per interval
TOP_PX, BOTTOM_PX = 300, 330  # the two rows of panels: both titles on a 768-pixel screen
# Vuetify 2 shows a slider's value only while it is dragged; a teacher wants to read it.
CSS = """
.v-slider__thumb-label-container { display: block !important; }
.negosim-page { flex-wrap: nowrap !important; align-items: flex-start; }
.negosim-controls { flex: 0 0 260px; max-width: 260px; height: calc(100vh - 80px); overflow-y: auto; }
.negosim-controls .v-input__slider .v-input__slot { flex-wrap: wrap; }
.negosim-controls .v-input__slider .v-label {
    flex: 0 0 100%; max-width: 100%; white-space: normal; margin-bottom: 34px; }
.negosim-main { flex: 1 1 auto; min-width: 0; }
.negosim-grid { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; }
.negosim-panel { border: 1px solid #ddd; border-radius: 4px; padding: 4px 6px; overflow: hidden; }
.negosim-title { font-weight: bold; font-size: 14px; margin-bottom: 2px; }
"""


def scenario_file() -> str | None:
    return os.environ.get(SCENARIO_ENV) or None


def scenario_name(given: str | None) -> str:
    """A shipped scenario's name (also when given as its path); any other file as given."""
    if given is None:
        return DEFAULT_SCENARIO
    for name, path in shipped_scenarios().items():
        if given == name or Path(given).resolve() == Path(path).resolve():
            return name
    return given


def scenario_choices(current: str | None) -> list[str]:
    """Every shipped scenario, and the one the command line named if it is a file of one's own."""
    names, own = sorted(shipped_scenarios()), scenario_name(current)
    return names if own in names else [own, *names]


def _slider(value: float, low: float, high: float, step: float, label: str) -> dict:
    return {"type": "SliderFloat", "value": value, "min": low, "max": high, "step": step, "label": label}


def _select(value: str, values: tuple[str, ...], label: str) -> dict:
    return {"type": "Select", "value": value, "values": list(values), "label": label}


def model_params(scenario: str | None) -> dict:
    """ModelCreator's inputs: one per lever the scenario has, at the scenario's own values."""
    base = load_base(scenario)
    d = lever_defaults(base)
    a, b = principals_ab(base)
    low, high = base.meta.poles
    params: dict = {
        "scenario_file": scenario,  # fixed: passed unchanged on every Reset
        "seed": {"type": "SliderInt", "value": d["seed"], "min": 0, "max": 999, "step": 1, "label": "Seed"},
        "bias": _slider(d["bias"], -1.0, 1.0, 0.05, f"Mediator bias (-1 {low}, +1 {high})"),
        "deadline": None,
    }
    if base.deadlines:
        deadline = base.deadlines[0]
        label = f"Deadline ({deadline.label or deadline.date.isoformat()}) for {deadline.party or 'all'}"
        params["deadline"] = _select(d["deadline"], DEADLINE_KINDS, label)
    for key, pid in (("a", a), ("b", b)):
        label = f"{base.mediator.party} pressure on {pid} (per round)"
        params[f"pressure_{key}"] = None if pid is None else _slider(d[f"pressure_{key}"], 0.0, 0.05, 0.001, label)
    for key, pid in (("a", a), ("b", b)):
        params[f"tactic_{key}"] = None if pid is None else _select(d[f"tactic_{key}"], TACTICS, f"{pid} tactic")
    params["drift"] = _slider(d["drift"], -0.01, 0.01, 0.0005, "Battlefield drift (per round)")
    if b is not None:
        params["direct_channel"] = {"type": "Checkbox", "value": False, "label": f"Direct {a}-{b} channel"}
    return params


def initial_kwargs(params: dict) -> dict:
    """The keyword arguments Reset would pass with the inputs untouched."""
    return {k: (v["value"] if isinstance(v, dict) else v) for k, v in params.items()}


def pending_levers(model: DemoModel, params: dict, wanted: dict) -> list[str]:
    """The levers moved since the model was made, as 'Mediator bias: 0.5 (now 0.25)'."""
    now = {**initial_kwargs(params), **{k: v for k, v in model.levers.items() if v is not None}}

    def shown(value: object) -> str:  # a slider's 0.30000000000000004 is 0.3
        return f"{value:.6g}" if isinstance(value, float) else str(getattr(value, "value", value))

    out = []
    for key, value in wanted.items():
        spec = params.get(key)
        if isinstance(spec, dict) and key in now and value != now[key]:
            out.append(f"{spec.get('label', key)}: {shown(value)} (now {shown(now[key])})")
    return out


def narrative_html(model: DemoModel, record: views.Record, r: int) -> str:
    """The round in words: counter, levers in force, the ending (why), then the events."""
    sentences = views.narrative(record, r)
    items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences) or (
        "<li><i>Nothing yet: press Step (or Play) to play a round.</i></li>" if r < 0 else "<li>(quiet round)</li>"
    )
    ended = views.outcome(model)
    banner = (
        f'<p class="negosim-outcome" style="font-weight:bold;color:#1e8449;margin:2px 0">Outcome: '
        f"{html.escape(ended.upper())} after {model.round} rounds (the first line below says why). "
        f"Press Reset for a new world.</p>"
        if ended
        else ""
    )
    return (
        f'<div class="negosim-narrative" style="height:{TOP_PX - 24}px;overflow-y:auto;font-size:13px;'
        f'line-height:1.35"><div style="font-weight:bold">{html.escape(views.round_heading(model, record, r))}</div>'
        f'<p class="negosim-counter" style="margin:0">Rounds played: {model.round} of at most {model.rounds}</p>'
        f'<p class="negosim-settings" style="margin:0 0 4px 0;color:#555;font-size:12px">This world: '
        f"{html.escape(model.settings_line())}</p>{banner}"
        f'<details class="negosim-key" style="margin:0 0 4px 0;color:#555;font-size:12px"><summary>What '
        f"utility, asks and no deal mean</summary>{html.escape(LEGEND)}</details>"
        f'<ul style="margin-top:2px;padding-left:18px">{items}</ul></div>'
    )


def _panel(title: str, body: str, height: int, name: str) -> str:
    return (
        f'<div class="negosim-panel negosim-{name}" style="height:{height}px">'
        f'<div class="negosim-title">{html.escape(title)}</div>{body}</div>'
    )


def dashboard_html(model: DemoModel) -> str:
    """Every panel of the round just played, as one block of markup (drawn in milliseconds)."""
    record, r = views.Record.of(model), model.round - 1
    when = f"round {r} ({model.date_of(r).isoformat()})" if r >= 0 else "before round 0"
    graph = f'<div style="height:{TOP_PX - 80}px">{web.graph_svg(model, record, r)}</div>{web.message_legend()}'
    lines = (
        f'<div style="height:{BOTTOM_PX // 2 - 22}px">{charts.utilities_svg(model, record, r)}</div>'
        f'<div class="negosim-title">Position of the text between the reference texts</div>'
        f'<div style="height:{BOTTOM_PX // 2 - 30}px">{charts.position_svg(model, record, r)}</div>'
    )
    return (
        '<div class="negosim-grid">'
        + _panel(f"Mediation graph: messages of {when}", graph, TOP_PX, "graph")
        + _panel("This round in words", narrative_html(model, record, r), TOP_PX, "words")
        + _panel(
            "The text by clause and round (hover a clause)",
            web.heatmap_html(model, record, r, BOTTOM_PX - 30),
            BOTTOM_PX,
            "heatmap",
        )
        + _panel("Utilities (solid) and values of no deal (dashed)", lines, BOTTOM_PX, "lines")
        + "</div>"
    )


@solara.component
def Dashboard(model: DemoModel):
    update_counter.get()  # Step, Play and Reset bump it: redraw then
    solara.HTML(tag="div", unsafe_innerHTML=dashboard_html(model))


WORLD_COUNTS = (100, 500, 1000, 2000)


@solara.component
def EnsemblePanel(levers: dict):
    """Run N worlds under the levers as they stand, with progress; then shares and dated questions."""
    worlds = solara.use_reactive(500)
    done = solara.use_reactive(0)
    result = solara.use_reactive("")

    def run() -> None:
        spec = DemoModel(**levers).spec
        tables = []
        for count, table in many.ensemble_chunks(spec, worlds.value):
            tables.append(table)
            done.set(count)
        result.set(many.ensemble_html(pd.concat(tables, ignore_index=True), spec))

    task = solara.lab.use_task(run, dependencies=None, prefer_threaded=True)
    with solara.Card("Many worlds under these levers", classes=["negosim-ensemble"]):
        with solara.Row():
            solara.Select("Worlds", values=list(WORLD_COUNTS), value=worlds.value, on_value=worlds.set)
            solara.Button(f"Run {worlds.value} worlds", color="primary", on_click=task, disabled=task.pending)
        if task.pending:
            solara.ProgressLinear(value=100 * done.value / worlds.value)
            solara.Text(f"{done.value} of {worlds.value} worlds", classes=["negosim-progress"])
        if result.value:
            solara.HTML(tag="div", unsafe_innerHTML=result.value)


@solara.component
def ComparePanel(model: DemoModel, levers: dict, changes: list[str]):
    """This world's seed played to the end without and with the levers moved since Reset."""
    result = solara.use_reactive("")

    def run() -> None:
        before = {"scenario_file": model.scenario_file, **model.levers}
        result.set(many.compare_html(*many.compare_worlds(before, levers), changes))

    task = solara.lab.use_task(run, dependencies=None, prefer_threaded=True)
    with solara.Card("Compare: this seed without and with the moved levers", classes=["negosim-compare"]):
        if not changes:
            solara.Text("Move a lever (without pressing Reset) to compare this world with and without it.")
        solara.Button("Compare", color="primary", on_click=task, disabled=task.pending or not changes)
        if task.pending:
            solara.ProgressLinear(True)
        if result.value:
            solara.HTML(tag="div", unsafe_innerHTML=result.value)


@solara.component
def Page():
    """One tab, one model: created here, on the tab's first render, not at import."""
    name = solara.use_reactive(scenario_name(scenario_file()))
    params = solara.use_memo(lambda: model_params(name.value), [name.value])
    first = solara.use_memo(lambda: DemoModel(**initial_kwargs(params)), [])
    model = solara.use_reactive(first)
    wanted = solara.use_reactive(initial_kwargs(params))
    # ModelController reads these as reactive values; fixed here (Mesa's sliders for them are developer tools)
    play_ms, every_round, no_threads = solara.use_reactive(PLAY_MS), solara.use_reactive(1), solara.use_reactive(False)

    def pick(new: str) -> None:
        fresh = model_params(new)
        wanted.set(initial_kwargs(fresh))
        model.set(DemoModel(**initial_kwargs(fresh)))
        name.set(new)

    solara.Title(f"negosim demo: {model.value.spec.meta.name}")
    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle(f"negosim: {model.value.spec.meta.name}")
    with solara.Row(classes=["negosim-page"], gap="8px"):
        with solara.Column(classes=["negosim-controls"], gap="6px"):
            solara.Select("Scenario", values=scenario_choices(scenario_file()), value=name.value, on_value=pick)
            ModelController(
                model,
                model_parameters=wanted,
                play_interval=play_ms,
                render_interval=every_round,
                use_threads=no_threads,
            )
            waiting = pending_levers(model.value, params, wanted.value)
            if waiting:
                solara.Warning("Reset applies: " + "; ".join(waiting), dense=True, classes=["negosim-pending"])
            solara.HTML(tag="div", unsafe_innerHTML="<b>Levers</b> (Reset applies them)")
            ModelCreator(model, params, model_parameters=wanted).key(name.value)
        with solara.Column(classes=["negosim-main"]):
            Dashboard(model.value)
            with solara.Columns([1, 1]):
                EnsemblePanel(wanted.value)
                ComparePanel(model.value, wanted.value, waiting)
