"""The Solara page behind ``negosim demo``: Mesa's SolaraViz around a DemoModel.

The server loads this module as its app (``SOLARA_APP=negosim.demo.app``);
the scenario comes from the environment variable ``NEGOSIM_DEMO_SCENARIO``
(a path or shipped name; default the flagship). ``Page`` is rendered once per
browser tab, and each render creates that tab's own model, so students never
step each other's worlds. SolaraViz's Reset re-creates the model from the
sliders (``DemoModel.__init__`` takes the levers as keyword arguments).

Panels (all drawn by :mod:`negosim.demo.views`, the same pictures as
``negosim animate``): the mediation graph with this round's messages, the round
in words, the text as a clause-by-round heat map beside the reference texts,
utilities and reservation values, and the position index.
"""

from __future__ import annotations

import base64
import html
import os

import solara
from mesa.visualization import SolaraViz, solara_viz

from negosim.analysis.narrative import LEGEND
from negosim.demo import views
from negosim.demo.levers import DEADLINE_KINDS, TACTICS, DemoModel, lever_defaults, load_base, principals_ab

SCENARIO_ENV = "NEGOSIM_DEMO_SCENARIO"
ROW_PX, MARGIN_PX = 30, 10  # SolaraViz's grid: 30 px rows, 10 px gaps
# Panel -> (x, y, w, h) on the 12-column grid: graph and narrative on top, the tall heat map below left,
# utilities and position index stacked beside it. Mesa's own layout gives every panel w=6, h=10.
LAYOUT = [(0, 0, 6, 12), (6, 0, 6, 12), (0, 12, 6, 19), (6, 12, 6, 9), (6, 21, 6, 10)]
FIGURE_SIZES = [(5.8, 4.6), None, (5.8, 7.4), (5.8, 3.4), (5.8, 3.6)]  # inches at 100 dpi
# Vuetify 2 shows a slider's value only while it is dragged; a teacher wants to read it.
CSS = """
.v-slider__thumb-label-container { display: block !important; }
.v-navigation-drawer .v-input__slider { margin-top: 30px; }
"""


def scenario_file() -> str | None:
    return os.environ.get(SCENARIO_ENV) or None


def _slider(value: float, low: float, high: float, step: float, label: str) -> dict:
    return {"type": "SliderFloat", "value": value, "min": low, "max": high, "step": step, "label": label}


def _select(value: str, values: tuple[str, ...], label: str) -> dict:
    return {"type": "Select", "value": value, "values": list(values), "label": label}


def model_params(scenario: str | None) -> dict:
    """SolaraViz's ``model_params``: one input per lever, at the scenario's own values."""
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


def _height(slot: int) -> int:
    """Pixels inside the grid cell of panel ``slot`` (less a little for the resize handle)."""
    rows = LAYOUT[slot][3]
    return rows * ROW_PX + (rows - 1) * MARGIN_PX - 12


def grid_layout(n: int) -> list[dict]:
    """Our panels' places, in the form SolaraViz's GridDraggable takes."""
    if n != len(LAYOUT):
        return _mesa_layout(n)
    return [dict(i=i, x=x, y=y, w=w, h=h, moved=False) for i, (x, y, w, h) in enumerate(LAYOUT)]


_mesa_layout = solara_viz.make_initial_grid_layout
solara_viz.make_initial_grid_layout = grid_layout  # read by SolaraViz's ComponentsView when it lays out a page


def _image(fig, alt: str, slot: int):
    data = base64.b64encode(views.png(fig)).decode("ascii")
    style = f"width: 100%; height: {_height(slot)}px; object-fit: contain; display: block;"
    return solara.HTML(tag="img", attributes={"src": f"data:image/png;base64,{data}", "alt": alt}, style=style)


def _panel(draw, alt: str, slot: int):
    def component(model: DemoModel):
        record = views.Record.of(model)
        fig = views.figure(*FIGURE_SIZES[slot])
        draw(fig.add_subplot(), model, record, model.round - 1)
        return _image(fig, alt, slot)

    component.__name__ = draw.__name__.replace("draw_", "").title() + "Panel"
    return component


GraphPanel = _panel(views.draw_graph, "mediation graph", 0)
HeatmapPanel = _panel(views.draw_heatmap, "text heat map", 2)
UtilitiesPanel = _panel(views.draw_utilities, "utilities", 3)
PositionPanel = _panel(views.draw_position, "position index", 4)


def NarrativePanel(model: DemoModel):
    """The round in words: counter, levers in force, the events' sentences, the outcome."""
    record = views.Record.of(model)
    r = model.round - 1
    sentences = views.narrative(record, r)
    items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences) or (
        "<li><i>Nothing yet: press Step (or Play) to play a round.</i></li>" if r < 0 else "<li>(quiet round)</li>"
    )
    ended = views.outcome(model)
    banner = (
        f'<p class="negosim-outcome" style="font-weight:bold;color:#1e8449">Outcome: {html.escape(ended.upper())} '
        f"after {model.round} rounds. Press Reset for a new world.</p>"
        if ended
        else ""
    )
    body = (
        f'<div class="negosim-narrative" style="height:{_height(1)}px;overflow-y:auto;font-size:13px;line-height:1.35">'
        f'<h3 style="margin:0 0 4px 0">{html.escape(views.round_heading(model, record, r))}</h3>'
        f'<p class="negosim-counter" style="margin:0">Rounds played: {model.round} of at most {model.rounds}</p>'
        f'<p class="negosim-settings" style="margin:0 0 6px 0;color:#555;font-size:12px">This world: '
        f"{html.escape(model.settings_line())}</p>{banner}"
        f'<details class="negosim-key" style="margin:0 0 4px 0;color:#555;font-size:12px"><summary>What '
        f"utility, asks and no deal mean</summary>{html.escape(LEGEND)}</details>"
        f'<ul style="margin-top:2px;padding-left:18px">{items}</ul></div>'
    )
    return solara.HTML(tag="div", unsafe_innerHTML=body)


COMPONENTS = [(GraphPanel, 0), (NarrativePanel, 0), (HeatmapPanel, 0), (UtilitiesPanel, 0), (PositionPanel, 0)]


@solara.component
def Page():
    """One tab, one model: created here, on the tab's first render, not at import."""
    scenario = scenario_file()
    params = solara.use_memo(lambda: model_params(scenario), [])
    first = solara.use_memo(lambda: DemoModel(**initial_kwargs(params)), [])
    model = solara.use_reactive(first)
    solara.Title(f"negosim demo: {first.spec.meta.name}")
    solara.Style(CSS)
    SolaraViz(
        model, components=COMPONENTS, model_params=params, name=f"negosim: {first.spec.meta.name}", play_interval=300
    )
