"""The flagship (geneva_vs_anchorage): outcome distribution, split, and what drives P(deal).

What it shows:

1. the outcome distribution over many worlds (deal / framework / deadlock /
   breakdown shares with 95% Wilson intervals) and the split probabilities:
   P(Kyiv signs by 27 Nov), P(Moscow signs by 27 Nov), P(deal by 31 Dec);
2. a one-at-a-time sensitivity (tornado) of P(deal): each of 25 candidate
   real-valued parameters (8 with --small) is set to a low and a high value,
   with everything else as shipped (the other uncertain parameters still drawn
   per world) and the same world seeds as the base run. Low/high are the 10th and
   90th percentiles of the scenario's own distribution for the parameters under
   [uncertainty], and the shipped value -25% / +25% (clipped to the valid
   range) for the others. Parameters are ranked by the swing
   |P(deal | high) - P(deal | low)|, whose 95% band comes from per-world paired
   differences; the tornado draws the top 12.

Finding (full run: 20000 worlds for the distribution, 5000 common-seed worlds
for each tornado arm):

- Outcomes: deal 22.3% [21.8, 22.9], framework 77.0% [76.4, 77.6], deadlock
  0.0% [0.0, 0.02], breakdown 0.6% [0.5, 0.8].
- The split: P(UA signs by 27 Nov) is 86.6% [86.1, 87.0] and P(RU signs by
  27 Nov) is 0.0% [0.0, 0.02]: Ukraine agrees, Russia waits. P(deal by 31 Dec)
  is 22.3%. Deals land at a median position index of 0.650 (IQR 0.611 to
  0.686), two thirds of the way from Geneva to Anchorage, after a median of
  36 rounds (30 Dec).
- What drives P(deal) is Moscow: its opening aspiration, what it expects from
  the war, and its clock. The top swings (paired 95% bands, base 22.6%):
  Moscow's initial aspiration (1 -> 0.75: 22.6% -> 55.0%, -32.5 ± 1.4 pp),
  Moscow's expected battlefield drift (-31.4 ± 1.3 pp: 38.9% at 0.0002/round,
  7.5% at 0.0078), Moscow's reservation base (-27.4 ± 1.2 pp), the actual
  battlefield drift (-22.5 ± 1.2 pp), Moscow's Boulware exponent (+14.0 ±
  1.0 pp), Moscow's territory weight (-10.3 ± 0.9 pp) and Moscow's veto
  tolerance (+5.4 ± 0.6 pp). Next, far behind, come the US revision step
  (+2.7 ± 1.2 pp), Moscow's war cost (+1.8 ± 0.4 pp), Kyiv's tactic exponent
  (+1.4 ± 0.7 pp), Kyiv's reservation base (-1.0 ± 0.7 pp) and Moscow's
  decision noise (+0.9 ± 0.4 pp). Kyiv's parameters barely matter, because
  Kyiv signs early in almost every world.
- Caveat on the top entry: Moscow's initial aspiration ships at 1.0, the top
  of its range, so only its low side moves, and -25% is a large move for an
  aspiration. At 0.9 (-10%), P(deal) is 31.6%.
- Inert over their ranges: mediator bias over U(0, 0.5) (+0.0 ± 0.7 pp; the
  bias sweep in mediator_bias_leverage.py finds the same plateau), US pressure
  on Kyiv, US impatience, and US pressure on Moscow per round (its 0.05 cap
  binds). The US deal bonus has exactly zero effect: it enters only the
  mediator's payoff column, never its behaviour.

Run: ``.venv/bin/python experiments/flagship.py [--out DIR] [--small]``
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from negosim import load_scenario, run_ensemble
from negosim.analysis.summary import summarize
from negosim.engine.params import draw
from negosim.plots.style import STATUS_COLOURS
from negosim.runs.study import study_main
from negosim.scenario import Scenario
from negosim.scenario.keypaths import lookup
from negosim.vocabulary import Outcome

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "geneva_vs_anchorage.toml"
NAME = "flagship"
TOP = 12
PERCENTILES = (0.10, 0.90)
RELATIVE = 0.25

# Candidate parameters: key path -> (valid low, valid high, short label).
CANDIDATES: dict[str, tuple[float, float, str]] = {
    "parties.UA.reservation.base": (-math.inf, math.inf, "Kyiv's reservation base"),
    "parties.RU.reservation.base": (-math.inf, math.inf, "Moscow's reservation base"),
    "parties.UA.reservation.territory_weight": (-math.inf, math.inf, "Kyiv's territory weight"),
    "parties.RU.reservation.territory_weight": (-math.inf, math.inf, "Moscow's territory weight"),
    "parties.RU.reservation.expected_drift": (-math.inf, math.inf, "Moscow's expected drift"),
    "parties.UA.reservation.war_cost": (-math.inf, math.inf, "Kyiv's war cost per round"),
    "parties.RU.reservation.war_cost": (-math.inf, math.inf, "Moscow's war cost per round"),
    "parties.UA.tactic.exponent": (1e-3, 50.0, "Kyiv's tactic exponent"),
    "parties.RU.tactic.exponent": (1e-3, 50.0, "Moscow's tactic exponent"),
    "parties.UA.tactic.initial": (1e-3, 1.0, "Kyiv's initial aspiration"),
    "parties.RU.tactic.initial": (1e-3, 1.0, "Moscow's initial aspiration"),
    "parties.UA.noise": (0.0, math.inf, "Kyiv's decision noise"),
    "parties.RU.noise": (0.0, math.inf, "Moscow's decision noise"),
    "parties.RU.veto.tolerance": (0.0, 1.0, "Moscow's veto tolerance"),
    "mediator.bias": (-1.0, 1.0, "US bias"),
    "mediator.own_weight": (0.0, math.inf, "US own-interest weight"),
    "mediator.step": (1e-6, 0.25, "US revision step"),
    "mediator.deal_bonus": (0.0, math.inf, "US deal bonus"),
    "mediator.impatience": (0.0, math.inf, "US impatience"),
    "mediator.leverage.UA.per_round": (0.0, math.inf, "US pressure on Kyiv per round"),
    "mediator.leverage.UA.credibility": (0.0, 1.0, "credibility of pressure on Kyiv"),
    "mediator.leverage.RU.per_round": (0.0, math.inf, "US pressure on Moscow per round"),
    "battlefield.drift": (-math.inf, math.inf, "battlefield drift per round"),
    "battlefield.volatility": (0.0, math.inf, "battlefield volatility"),
    "deadlines.0.extension_prob": (0.0, 1.0, "Thanksgiving extension probability"),
}
SMALL_CANDIDATES = [
    "parties.RU.reservation.base",
    "parties.UA.reservation.base",
    "parties.RU.veto.tolerance",
    "parties.RU.tactic.exponent",
    "mediator.bias",
    "mediator.leverage.UA.per_round",
    "battlefield.drift",
    "mediator.deal_bonus",
]
FULL = {"seeds": 20_000, "tornado_seeds": 5_000, "candidates": list(CANDIDATES)}
SMALL = {"seeds": 300, "tornado_seeds": 300, "candidates": SMALL_CANDIDATES}


def low_high(scenario: Scenario, path: str) -> tuple[float, float, str]:
    """The low and high test values of one parameter and how they were chosen."""
    lo_ok, hi_ok, _ = CANDIDATES[path]
    if path in scenario.uncertainty:
        dist = scenario.uncertainty[path]
        low, high = (float(v) for v in draw(dist, np.array(PERCENTILES)))
        if dist.dist == "uniform":
            rule = f"U({dist.low:g}, {dist.high:g}): 10th/90th pct"
        elif dist.dist == "normal":
            rule = f"N({dist.mean:g}, {dist.sd:g}): 10th/90th pct"
        else:
            rule = f"{dist.dist}: 10th/90th pct"
    else:
        base = float(lookup(scenario.plain, path))
        low, high = sorted((base * (1 - RELATIVE), base * (1 + RELATIVE)))
        rule = f"{base:g} ± 25%"
    clipped = (low < lo_ok, high > hi_ok)
    low, high = float(np.clip(low, lo_ok, hi_ok)), float(np.clip(high, lo_ok, hi_ok))
    if any(clipped):
        rule += f", clipped to [{lo_ok:g}, {hi_ok:g}]"
    return low, high, rule


def _is_deal(outcomes: pd.DataFrame) -> np.ndarray:
    return (outcomes["status"].astype(str) == "deal").to_numpy(float)


def _halfwidth(d: np.ndarray) -> float:
    return 1.96 * float(d.std(ddof=1)) / math.sqrt(d.size) if d.size > 1 else math.nan


def tornado(scenario: Scenario, base: pd.DataFrame, paths: list[str], seeds: int, processes: int) -> pd.DataFrame:
    """One row per candidate: low/high values, P(deal) at each, paired differences."""
    base_deal = _is_deal(base.iloc[:seeds])
    rows = []
    for path in paths:
        low, high, rule = low_high(scenario, path)
        deal = {}
        for end, value in (("low", low), ("high", high)):
            varied = scenario.with_values({path: value})
            deal[end] = _is_deal(run_ensemble(varied, seeds, processes=processes, progress=False).outcomes)
        swing = deal["high"] - deal["low"]
        rows.append(
            {
                "parameter": path,
                "label": CANDIDATES[path][2],
                "rule": rule,
                "low": low,
                "high": high,
                "low_clipped": low <= CANDIDATES[path][0],
                "high_clipped": high >= CANDIDATES[path][1],
                "p_deal_base": base_deal.mean(),
                "p_deal_low": deal["low"].mean(),
                "p_deal_high": deal["high"].mean(),
                "d_low": (deal["low"] - base_deal).mean(),
                "d_low_halfwidth": _halfwidth(deal["low"] - base_deal),
                "d_high": (deal["high"] - base_deal).mean(),
                "d_high_halfwidth": _halfwidth(deal["high"] - base_deal),
                "swing": swing.mean(),
                "swing_halfwidth": _halfwidth(swing),
                "worlds": seeds,
            }
        )
    table = pd.DataFrame(rows)
    table["abs_swing"] = table["swing"].abs()
    table = table.sort_values("abs_swing", ascending=False, kind="stable").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table["significant"] = table["abs_swing"] > table["swing_halfwidth"]
    return table


def split_table(outcomes: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    s = summarize(outcomes, scenario)
    rows = [
        {"quantity": f"P({name})", **{k: s["outcomes"][name][k] for k in ("p", "low", "high", "count")}}
        for name in Outcome.labels()
    ]
    for party in scenario.principals:
        e = s["signs_by"][party]
        rows.append(
            {
                "quantity": f"P({party} signs by {s['signs_by']['date']})",
                **{k: e[k] for k in ("p", "low", "high", "count")},
            }
        )
    e = s["deal_by"]
    rows.append({"quantity": f"P(deal by {e['date']})", **{k: e[k] for k in ("p", "low", "high", "count")}})
    table = pd.DataFrame(rows)
    table["worlds"] = len(outcomes)
    pi = s["deal_position_index"]
    table.attrs["deal_position_index"] = pi
    table.attrs["median_rounds_to_deal"] = s["median_rounds_to_deal"]
    return table


# -- figures ------------------------------------------------------------------------
def _fig_outcomes(split: pd.DataFrame) -> plt.Figure:
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.4), layout="constrained", gridspec_kw={"width_ratios": [4, 3]})
    n = int(split["worlds"].iloc[0])
    parts = [
        (split.iloc[:4], [STATUS_COLOURS[s] for s in Outcome.labels()], list(Outcome.labels()), "Outcome shares"),
        (
            split.iloc[4:],
            ["#457b9d", "#e63946", STATUS_COLOURS["deal"]],
            [
                q.removeprefix("P(").removesuffix(")").replace(" signs by ", " signs by\n").replace(" by ", " by\n")
                for q in split["quantity"].iloc[4:]
            ],
            "Split probabilities",
        ),
    ]
    for ax, (part, colours, names, title) in zip(axes, parts):
        p = part["p"].to_numpy()
        err = np.clip(np.vstack([p - part["low"].to_numpy(), part["high"].to_numpy() - p]), 0, None)
        ax.bar(names, 100 * p, color=colours)
        ax.errorbar(names, 100 * p, yerr=100 * err, fmt="none", ecolor="black", capsize=5)
        for x, v in enumerate(p):
            ax.annotate(f"{100 * v:.1f}%", (x, 100 * v), xytext=(0, 4), textcoords="offset points", ha="center")
        ax.set_ylim(0, 105)
        ax.set_ylabel("share of worlds (%), 95% Wilson intervals")
        ax.set_title(title)
    fig.suptitle(f"geneva_vs_anchorage: {n} worlds (seeds 0..{n - 1})")
    return fig


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def _fig_tornado(table: pd.DataFrame) -> plt.Figure:
    top = table.head(TOP).iloc[::-1]
    base = float(top["p_deal_base"].iloc[0])
    fig, ax = plt.subplots(figsize=(11, 0.55 * len(top) + 2.4), layout="constrained")
    y = np.arange(len(top))
    for end, colour, shift in (("low", "#457b9d", -0.2), ("high", "#e76f51", 0.2)):
        values = top[f"p_deal_{end}"].to_numpy()
        half = top[f"d_{end}_halfwidth"].to_numpy()
        ax.barh(
            y + shift,
            100 * (values - base),
            left=100 * base,
            height=0.38,
            color=colour,
            label=f"parameter at its {end} value (value printed at the bar's end)",
        )
        ax.errorbar(100 * values, y + shift, xerr=100 * half, fmt="none", ecolor="black", capsize=2, linewidth=0.8)
        for yi, value, p, h, clipped in zip(y, top[end], values, half, top[f"{end}_clipped"]):
            right = p >= base
            text = _fmt(value) + (" (clipped)" if clipped else "")
            ax.annotate(
                text,
                (100 * (p + h if right else p - h), yi + shift),
                fontsize="x-small",
                va="center",
                ha="left" if right else "right",
                xytext=(3 if right else -3, 0),
                textcoords="offset points",
            )
    ax.axvline(100 * base, color="black", linewidth=1)
    ax.set_yticks(y, [f"{lab}\n[{path}]" for lab, path in zip(top["label"], top["parameter"])], fontsize="small")
    ax.set_xlabel(
        f"P(deal by 31 Dec) (%); base {100 * base:.1f}% (black line); whiskers: 95% paired bands "
        "of the difference from the base"
    )
    lo = min(top["p_deal_low"].min(), top["p_deal_high"].min(), base)
    hi = max(top["p_deal_low"].max(), top["p_deal_high"].max(), base)
    ax.set_xlim(max(0, 100 * lo - 8), min(100, 100 * hi + 8))
    n = int(top["worlds"].iloc[0])
    ax.set_title(
        f"geneva_vs_anchorage: one-at-a-time sensitivity of P(deal)\n"
        f"top {len(top)} of {len(table)} parameters by |P(high) - P(low)|, {n} common-seed worlds per arm"
    )
    ax.legend(fontsize="small", loc="lower right")
    return fig


def _markdown_split(split: pd.DataFrame) -> str:
    show = pd.DataFrame(
        {
            "quantity": split["quantity"],
            "share %": (100 * split["p"]).round(1),
            "95% Wilson interval %": [
                f"[{100 * lo:.1f}, {100 * hi:.1f}]" for lo, hi in zip(split["low"], split["high"])
            ],
            "worlds": split["count"],
        }
    )
    return show.to_markdown(index=False)


def _markdown_tornado(table: pd.DataFrame) -> str:
    show = pd.DataFrame(
        {
            "rank": table["rank"],
            "parameter": table["parameter"],
            "low / high from": table["rule"],
            "low": table["low"].map(_fmt),
            "high": table["high"].map(_fmt),
            "P(deal) low %": (100 * table["p_deal_low"]).round(1),
            "P(deal) high %": (100 * table["p_deal_high"]).round(1),
            "swing pp (high - low)": [
                f"{100 * s:+.1f} ± {100 * h:.1f}" for s, h in zip(table["swing"], table["swing_halfwidth"])
            ],
        }
    )
    return show.to_markdown(index=False)


def run(out: Path, small: bool = False, processes: int = 1) -> pd.DataFrame:
    """Run the flagship and its tornado, write figures and tables into ``out``.

    Returns the tornado table (every candidate, ranked by |swing|);
    ``.attrs["split"]`` holds the outcome/split table and ``.attrs["outcomes"]``
    the base run's outcome table.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cfg = SMALL if small else FULL
    scenario = load_scenario(SCENARIO)
    base = run_ensemble(scenario, cfg["seeds"], processes=processes, progress=False).outcomes
    split = split_table(base, scenario)
    table = tornado(scenario, base, cfg["candidates"], min(cfg["tornado_seeds"], cfg["seeds"]), processes)

    split.to_csv(out / "split.csv", index=False)
    table.to_csv(out / "tornado.csv", index=False)
    pi = split.attrs["deal_position_index"]
    md_split = "\n".join(
        [
            f"# {NAME}: outcome distribution and split ({len(base)} worlds)",
            "",
            _markdown_split(split),
            "",
            f"Median position index of deals (geneva_19 = 0, anchorage_28 = 1): {pi['median']:.3f} "
            f"(IQR {pi['q25']:.3f} to {pi['q75']:.3f}); "
            f"median rounds to a deal: {split.attrs['median_rounds_to_deal']:g}.",
            "",
        ]
    )
    md_tornado = "\n".join(
        [
            f"# {NAME}: one-at-a-time sensitivity of P(deal)",
            "",
            f"Base P(deal) {100 * table['p_deal_base'].iloc[0]:.1f}% over {int(table['worlds'].iloc[0])} common-seed "
            "worlds per arm; swing = P(deal | high) - P(deal | low), ± its 95% paired band; the figure shows the top "
            f"{TOP}.",
            "",
            _markdown_tornado(table),
            "",
        ]
    )
    (out / "split.md").write_text(md_split, encoding="utf-8")
    (out / "tornado.md").write_text(md_tornado, encoding="utf-8")
    for stem, fig in {"outcome_shares": _fig_outcomes(split), "tornado": _fig_tornado(table)}.items():
        fig.savefig(out / f"{stem}.png", dpi=120)
        plt.close(fig)
    table.attrs["split"] = split
    table.attrs["outcomes"] = base
    table.attrs["markdown"] = md_split + "\n" + md_tornado
    return table


def main(argv: list[str] | None = None) -> int:
    return study_main(
        __doc__,
        ROOT / "runs" / "studies" / NAME,
        run,
        argv=argv,
        small_help="a quick run (300 seeds, 8 candidates)",
        processes=True,
    )


if __name__ == "__main__":
    sys.exit(main())
