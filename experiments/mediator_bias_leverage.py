"""Mediator bias and leverage on the flagship (geneva_vs_anchorage).

What it shows: P(deal), P(Kyiv accepts by 30 Nov, the first report date after its
Thanksgiving deadline of 27 Nov) and
the time to a deal as the US mediator's bias and its pressure vary, on the
flagship with everything else as shipped (uncertain parameters still drawn per
world). Two sweeps, each a full factorial in which every point runs the same
world seeds (common random numbers):

A. bias (-0.75 Kyiv-leaning .. +0.75 Moscow-leaning) x US pressure on Kyiv
   (``mediator.leverage.UA.per_round``, 0 .. 0.04 a round; cap 0.12 as shipped);
B. US pressure on Moscow (``mediator.leverage.RU.per_round``, 0 .. 0.03 a round)
   x the cap on that pressure (``mediator.leverage.RU.maximum``: the shipped
   0.05, 0.15, 0.30); bias drawn as in the flagship, U(0, 0.5).

Pressure is in utility units: it is subtracted from the target's reservation
value (the worth of continuing the war) when a credible threat arrives.

The findings of the latest full run are in the README ("Studies"); this docstring says
only what is computed, so it does not go stale.

How bias works in the model: it re-weights whose objections move the single
negotiating text (weight ~ capability x (1 + bias x side)). It is not Kydd's
(2003) mechanism, in which bias makes a mediator's information credible; the
model has no link from bias to the credibility of what the mediator says or
threatens, so this study cannot test Kydd's comparative static. Nor can it test
Beardsley's "mediation dilemma" (leverage buys fast but less durable deals):
the model has no post-deal phase.

Run: ``.venv/bin/python experiments/mediator_bias_leverage.py [--out DIR] [--small]``
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from negosim import experiment_from, load_scenario, run_experiment
from negosim.analysis.summary import wilson
from negosim.plots.style import STATUS_COLOURS
from negosim.runs.study import study_main
from negosim.scenario.keypaths import lookup
from negosim.vocabulary import Outcome

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "geneva_vs_anchorage.toml"
NAME = "mediator_bias_leverage"

BIAS = "mediator.bias"
UA_PRESSURE = "mediator.leverage.UA.per_round"
RU_PRESSURE = "mediator.leverage.RU.per_round"
RU_CAP = "mediator.leverage.RU.maximum"

FULL = {
    "seeds": 1000,
    BIAS: [-0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75],
    UA_PRESSURE: [0.0, 0.005, 0.01, 0.02, 0.04],
    RU_PRESSURE: [0.0, 0.002, 0.004, 0.008, 0.015, 0.03],
    RU_CAP: [0.05, 0.15, 0.30],
}
SMALL = {
    "seeds": 300,
    BIAS: [-0.75, 0.0, 0.25, 0.75],
    UA_PRESSURE: [0.0, 0.04],
    RU_PRESSURE: [0.0, 0.02],
    RU_CAP: [0.05, 0.30],
}
# Kyiv's acceptance is read on the first report date after its 27 Nov deadline: on the shared
# mechanism it hardly ever accepts by the deadline itself, whatever the levers.
READ_KYIV_ON = dt.date(2025, 11, 30)
FLAGSHIP_BIAS_FOR_TIMING = 0.25  # midpoint of the flagship's U(0, 0.5) bias


def _deal_rounds(group: pd.DataFrame) -> pd.Series:
    return group.loc[group["status"].astype(str) == "deal", "rounds"]


def _point_rows(result, sweep: str, scenario) -> pd.DataFrame:
    """One row per design point: shares with Wilson intervals and timing."""
    table = result.outcomes.reset_index()
    by_round = scenario.calendar.last_round_by(READ_KYIV_ON)
    rows = []
    for point, group in table.groupby("point", sort=True):
        n = len(group)
        status = group["status"].astype(str)
        row = {"sweep": sweep, "point": int(point)}
        for axis in (BIAS, UA_PRESSURE, RU_PRESSURE, RU_CAP):
            if axis in group:
                row[axis] = float(group[axis].iloc[0])
            else:  # not swept: the flagship's value (NaN when it is drawn per world)
                row[axis] = math.nan if axis in scenario.uncertainty else float(lookup(scenario.plain, axis))
        row["worlds"] = n
        for name in Outcome.labels():
            p, lo, hi = wilson(int((status == name).sum()), n)
            row[f"p_{name}"] = p
            if name == "deal":
                row["p_deal_low"], row["p_deal_high"] = lo, hi
        for party in scenario.principals:
            rounds = group[f"accept_round_{party}"]
            p, lo, hi = wilson(int(((rounds >= 0) & (rounds <= by_round)).sum()), n)
            row[f"p_accept_{party}_by_30nov"] = p
            row[f"p_accept_{party}_by_30nov_low"], row[f"p_accept_{party}_by_30nov_high"] = lo, hi
        deal_rounds = _deal_rounds(group)
        row["median_rounds_to_deal"] = float(deal_rounds.median()) if len(deal_rounds) else math.nan
        row["mean_rounds_to_deal"] = float(deal_rounds.mean()) if len(deal_rounds) else math.nan
        row["mean_rounds_to_deal_halfwidth"] = (
            1.96 * float(deal_rounds.std(ddof=1)) / math.sqrt(len(deal_rounds)) if len(deal_rounds) > 1 else math.nan
        )
        deals = group[status == "deal"]
        row["deal_position_index"] = float(deals["position_index"].median()) if len(deals) else math.nan
        rows.append(row)
    return pd.DataFrame(rows)


def paired_difference(table: pd.DataFrame, column_test, point_a: int, point_b: int) -> tuple[float, float]:
    """Mean of per-world differences (b - a) of an indicator, and its 95% half-width.

    ``table`` is an experiment table indexed by (point, seed); ``column_test``
    maps a point's rows to a 0/1 Series indexed by seed. Common seeds make the
    per-world difference the parameters' doing.
    """
    a = column_test(table.xs(point_a, level="point")).astype(float)
    b = column_test(table.xs(point_b, level="point")).astype(float)
    diff = (b - a.reindex(b.index)).to_numpy()
    half = 1.96 * diff.std(ddof=1) / math.sqrt(diff.size) if diff.size > 1 else math.nan
    return float(diff.mean()), float(half)


def _is_deal(rows: pd.DataFrame) -> pd.Series:
    return rows["status"].astype(str) == "deal"


def _accepts_by(party: str, by_round: int):
    def test(rows: pd.DataFrame) -> pd.Series:
        return (rows[f"accept_round_{party}"] >= 0) & (rows[f"accept_round_{party}"] <= by_round)

    return test


# -- figures -------------------------------------------------------------------------
def _fig_bias(points: pd.DataFrame) -> plt.Figure:
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6), layout="constrained")
    pressures = sorted(points[UA_PRESSURE].unique())
    colours = plt.cm.viridis(np.linspace(0.0, 0.85, len(pressures)))
    for colour, pressure in zip(colours, pressures):
        part = points[points[UA_PRESSURE] == pressure].sort_values(BIAS)
        label = f"pressure on Kyiv {pressure:g}/round"
        axes[0].plot(part[BIAS], 100 * part["p_deal"], marker="o", color=colour, label=label)
        axes[0].fill_between(part[BIAS], 100 * part["p_deal_low"], 100 * part["p_deal_high"], color=colour, alpha=0.2)
        axes[1].plot(part[BIAS], 100 * part["p_accept_UA_by_30nov"], marker="o", color=colour, label=label)
        axes[1].fill_between(
            part[BIAS],
            100 * part["p_accept_UA_by_30nov_low"],
            100 * part["p_accept_UA_by_30nov_high"],
            color=colour,
            alpha=0.2,
        )
    axes[0].set_title("P(deal by 31 Dec) against mediator bias")
    axes[0].set_ylabel("P(deal) (%), 95% Wilson bands")
    axes[1].set_title("P(Kyiv accepts by 30 Nov) against mediator bias")
    axes[1].set_ylabel("P(UA accepts by 30 Nov) (%), 95% Wilson bands")
    for ax in axes:
        ax.set_xlabel("mediator bias (-1 leans to Kyiv, +1 to Moscow; unitless)")
        ax.axvspan(0.0, 0.5, color="grey", alpha=0.08, label="flagship's bias range U(0, 0.5)")
        ax.legend(fontsize="small")
    axes[0].set_ylim(0, max(40, 100 * points["p_deal_high"].max() + 5))
    axes[1].set_ylim(0, 100)
    n = int(points["worlds"].iloc[0])
    fig.suptitle(f"geneva_vs_anchorage: US bias x US pressure on Kyiv ({n} common-seed worlds per point)")
    return fig


def _heat(ax, points: pd.DataFrame, x: str, y: str, xlabel: str, ylabel: str, title: str):
    grid = points.pivot_table(index=y, columns=x, values="p_deal").sort_index(ascending=False)
    image = ax.imshow(100 * grid.to_numpy(), cmap="viridis", aspect="auto", vmin=0, vmax=40)
    ax.set_xticks(range(grid.shape[1]), [f"{v:g}" for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [f"{v:g}" for v in grid.index])
    for (r, c), value in np.ndenumerate(grid.to_numpy()):
        ax.text(
            c,
            r,
            f"{100 * value:.1f}",
            ha="center",
            va="center",
            fontsize="small",
            color="white" if value < 0.25 else "black",
        )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return image


def _fig_heatmap(a: pd.DataFrame, b: pd.DataFrame) -> plt.Figure:
    fig, axes = plt.subplots(1, 2, figsize=(12.5, 4.8), layout="constrained")
    _heat(
        axes[0],
        a,
        BIAS,
        UA_PRESSURE,
        "mediator bias (-1 Kyiv .. +1 Moscow; unitless)",
        "US pressure on Kyiv (utility units per round)",
        "A. bias x pressure on Kyiv",
    )
    image = _heat(
        axes[1],
        b,
        RU_PRESSURE,
        RU_CAP,
        "US pressure on Moscow (utility units per round)",
        "cap on pressure on Moscow (utility units)",
        "B. pressure on Moscow x its cap (bias drawn)",
    )
    fig.colorbar(image, ax=axes, label="P(deal by 31 Dec) (%)")
    fig.suptitle("geneva_vs_anchorage: P(deal) in % (cells: common-seed worlds per point)")
    return fig


def _fig_timing(a: pd.DataFrame, b: pd.DataFrame) -> plt.Figure:
    """Mean rounds to a deal (with 95% CI) as lines; the (integer) median as open markers."""
    fig, axes = plt.subplots(1, 2, figsize=(14, 4.6), layout="constrained", sharey=True)
    biases = a[BIAS].unique()
    bias = biases[np.argmin(np.abs(biases - FLAGSHIP_BIAS_FOR_TIMING))]
    part = a[a[BIAS] == bias].sort_values(UA_PRESSURE)
    axes[0].errorbar(
        part[UA_PRESSURE],
        part["mean_rounds_to_deal"],
        yerr=part["mean_rounds_to_deal_halfwidth"],
        marker="o",
        capsize=4,
        color=STATUS_COLOURS["deal"],
        label="mean (95% CI)",
    )
    axes[0].plot(
        part[UA_PRESSURE],
        part["median_rounds_to_deal"],
        marker="s",
        linestyle="none",
        color="black",
        markerfacecolor="none",
        label="median",
    )
    axes[0].set_xlabel("US pressure on Kyiv (utility units per round)")
    axes[0].set_title(f"A. pressure on Kyiv (bias fixed at {bias:g})")
    caps = sorted(b[RU_CAP].unique())
    colours = plt.cm.plasma(np.linspace(0.1, 0.8, len(caps)))
    span = float(b[RU_PRESSURE].max() - b[RU_PRESSURE].min()) or 1.0
    for k, (colour, cap) in enumerate(zip(colours, caps)):
        part = b[b[RU_CAP] == cap].sort_values(RU_PRESSURE)
        axes[1].errorbar(
            part[RU_PRESSURE],
            part["mean_rounds_to_deal"],
            yerr=part["mean_rounds_to_deal_halfwidth"],
            marker="o",
            capsize=4,
            color=colour,
            label=f"mean (95% CI), cap {cap:g}",
        )
        offset = (k - (len(caps) - 1) / 2) * 0.006 * span  # side by side: medians are whole rounds
        axes[1].plot(
            part[RU_PRESSURE] + offset,
            part["median_rounds_to_deal"],
            marker="s",
            linestyle="none",
            color=colour,
            markerfacecolor="none",
            label=f"median, cap {cap:g}",
        )
    axes[1].set_xlabel("US pressure on Moscow (utility units per round)")
    axes[1].set_title("B. pressure on Moscow, by cap (bias drawn)")
    axes[0].set_ylabel("rounds until the deal (days from 25 Nov;\n36 = deal on 30 Dec, horizon 31 Dec = 37)")
    axes[0].legend(fontsize="small", loc="lower left")
    axes[1].legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.suptitle("geneva_vs_anchorage: time to a deal, among worlds that reach one")
    return fig


# -- the study -----------------------------------------------------------------------
def _markdown(table: pd.DataFrame) -> str:
    show = table.copy()
    for col in show.columns:
        if col.startswith("p_"):
            show[col] = (100 * show[col]).round(1)
    show = show.rename(
        columns={BIAS: "bias", UA_PRESSURE: "UA_per_round", RU_PRESSURE: "RU_per_round", RU_CAP: "RU_maximum"}
    )
    keep = [
        "sweep",
        "bias",
        "UA_per_round",
        "RU_per_round",
        "RU_maximum",
        "p_deal",
        "p_deal_low",
        "p_deal_high",
        "p_holdout",
        "p_breakdown",
        "p_accept_UA_by_30nov",
        "median_rounds_to_deal",
        "mean_rounds_to_deal",
        "deal_position_index",
    ]
    show = show[keep].rename(columns=lambda c: c.replace("p_", "%").replace("_by_30nov", "_30Nov"))
    show = show.astype(object).where(show.notna(), "drawn")
    return show.to_markdown(index=False, floatfmt=".3g")


def run(out: Path, small: bool = False, processes: int = 1) -> pd.DataFrame:
    """Run both sweeps, write figures and tables into ``out``, return the table.

    The table has one row per design point (column ``sweep`` is "A" or "B");
    ``.attrs["outcomes"]`` holds each sweep's (point, seed) outcome table and
    ``.attrs["contrasts"]`` the paired differences quoted in the docstring.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cfg = SMALL if small else FULL
    scenario = load_scenario(SCENARIO)

    exp_a = experiment_from(
        scenario,
        {BIAS: {"values": cfg[BIAS]}, UA_PRESSURE: {"values": cfg[UA_PRESSURE]}},
        name="bias_x_ua_pressure",
        seeds=cfg["seeds"],
    )
    exp_b = experiment_from(
        scenario,
        {RU_PRESSURE: {"values": cfg[RU_PRESSURE]}, RU_CAP: {"values": cfg[RU_CAP]}},
        name="ru_pressure_x_cap",
        seeds=cfg["seeds"],
    )
    res_a = run_experiment(exp_a, progress=False, processes=processes)
    res_b = run_experiment(exp_b, progress=False, processes=processes)
    points_a = _point_rows(res_a, "A", scenario)
    points_b = _point_rows(res_b, "B", scenario)
    table = pd.concat([points_a, points_b], ignore_index=True)

    # Paired (common-seed) contrasts behind the finding.
    out_a, out_b = res_a.outcomes, res_b.outcomes

    def point_of(points, **values):
        mask = np.ones(len(points), dtype=bool)
        for axis, value in values.items():
            mask &= np.isclose(points[axis], value)
        return int(points.loc[mask, "point"].iloc[0])

    ua_accepts_by_30nov = _accepts_by("UA", scenario.calendar.last_round_by(READ_KYIV_ON))
    lo_bias, hi_ua = min(cfg[BIAS]), max(cfg[UA_PRESSURE])
    contrasts = []
    for bias in cfg[BIAS]:
        p0 = point_of(points_a, **{BIAS: bias, UA_PRESSURE: 0.0})
        p1 = point_of(points_a, **{BIAS: bias, UA_PRESSURE: hi_ua})
        d, h = paired_difference(out_a, ua_accepts_by_30nov, p0, p1)
        contrasts.append(
            {
                "contrast": f"P(UA accepts by 30 Nov): UA pressure {hi_ua:g} vs 0 at bias {bias:g}",
                "difference": d,
                "halfwidth": h,
            }
        )
    flagship_ua = 0.01 if 0.01 in cfg[UA_PRESSURE] else 0.0
    for bias in (0.0, 0.25):
        d, h = paired_difference(
            out_a,
            _is_deal,
            point_of(points_a, **{BIAS: lo_bias, UA_PRESSURE: flagship_ua}),
            point_of(points_a, **{BIAS: bias, UA_PRESSURE: flagship_ua}),
        )
        contrasts.append(
            {
                "contrast": f"P(deal): bias {bias:g} vs {lo_bias:g} (UA pressure {flagship_ua:g})",
                "difference": d,
                "halfwidth": h,
            }
        )
    hi_ru = max(cfg[RU_PRESSURE])
    base_b = point_of(points_b, **{RU_PRESSURE: 0.0, RU_CAP: 0.05})
    for cap in cfg[RU_CAP]:
        d, h = paired_difference(out_b, _is_deal, base_b, point_of(points_b, **{RU_PRESSURE: hi_ru, RU_CAP: cap}))
        contrasts.append(
            {"contrast": f"P(deal): RU pressure {hi_ru:g} (cap {cap:g}) vs none", "difference": d, "halfwidth": h}
        )
    contrasts = pd.DataFrame(contrasts)

    table.to_csv(out / "points.csv", index=False)
    contrasts.to_csv(out / "contrasts.csv", index=False)
    md = [
        f"# {NAME}: P(deal) and time to a deal against US bias and pressure",
        "",
        f"{cfg['seeds']} common-seed worlds per point; sweep A = bias x pressure on Kyiv, "
        "sweep B = pressure on Moscow x its cap (bias drawn U(0, 0.5)). Shares in %.",
        "",
        _markdown(table),
        "",
        "## Paired contrasts (per-world differences, common seeds; percentage points)",
        "",
        contrasts.assign(
            difference=lambda d: (100 * d["difference"]).round(2), halfwidth=lambda d: (100 * d["halfwidth"]).round(2)
        )
        .rename(columns={"difference": "difference_pp", "halfwidth": "95%_halfwidth_pp"})
        .to_markdown(index=False),
        "",
    ]
    (out / "points.md").write_text("\n".join(md), encoding="utf-8")

    figures = {
        "p_deal_vs_bias": _fig_bias(points_a),
        "deal_heatmap": _fig_heatmap(points_a, points_b),
        "time_to_deal_vs_pressure": _fig_timing(points_a, points_b),
    }
    for stem, fig in figures.items():
        fig.savefig(out / f"{stem}.png", dpi=120)
        plt.close(fig)

    table.attrs["outcomes"] = {"A": out_a, "B": out_b}
    table.attrs["contrasts"] = contrasts
    table.attrs["markdown"] = "\n".join(md)
    return table


def main(argv: list[str] | None = None) -> int:
    return study_main(
        __doc__,
        ROOT / "runs" / "studies" / NAME,
        run,
        argv=argv,
        small_help="a quick run (300 seeds, fewer points)",
        processes=True,
    )


if __name__ == "__main__":
    sys.exit(main())
