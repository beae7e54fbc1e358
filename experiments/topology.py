"""Topology of the talks: the flagship's star against two alternatives.

What it shows: how the shape of the mediation graph changes the flagship's
outcome (geneva_vs_anchorage, everything else as shipped):

- ``star``: the flagship, a star around the US; the E3 talk to the US and to
  Kyiv; Kyiv and Moscow share only a humanitarian (HUMAN-clause) channel;
- ``direct``: the star plus a full two-way Kyiv-Moscow channel
  (``negosim.scenario.edits.with_direct_channel(scenario, "UA", "RU")``, latency 1,
  reliability 1), replacing the humanitarian one;
- ``no_E3``: the star with the E3 removed (party and its channels);
- ``E3_silent`` (a check): the star with the E3 kept but its advice weight set
  to 0. Removing a party changes the layout of every world's random draws, so
  ``no_E3`` is not paired with ``star`` world by world; ``E3_silent`` is, and
  separates the E3's effect from sampling noise.

For each: outcome shares with 95% Wilson intervals, P(Moscow ever accepts), the
mean round of Moscow's first acceptance (among worlds where it accepts; round 0 =
25 Nov), P(deal by the horizon, 30 Jun 2026), the median position index of deals (Geneva 19 = 0,
Anchorage 28 = 1) with a bootstrap interval, and paired (common-seed)
differences in P(deal) against the star.

The findings of the latest full run are in the README ("Studies"); this docstring says
only what is computed, so it does not go stale.

Run: ``.venv/bin/python experiments/topology.py [--out DIR] [--small]``
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
from negosim.analysis.summary import wilson
from negosim.runs.study import study_main
from negosim.scenario import Scenario, build_scenario
from negosim.scenario.edits import with_direct_channel
from negosim.vocabulary import Outcome

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "geneva_vs_anchorage.toml"
NAME = "topology"
FULL_SEEDS, SMALL_SEEDS = 10_000, 2_000
BOOTSTRAP = 1000

LABELS = {
    "star": "star (flagship)",
    "direct": "star + direct UA-RU channel",
    "no_E3": "star, E3 removed",
    "E3_silent": "star, E3 silenced (check)",
}
COLOURS = {"star": "#264653", "direct": "#2a9d8f", "no_E3": "#e76f51", "E3_silent": "#f4a261"}


def without_party(scenario: Scenario, party: str) -> Scenario:
    """A copy of ``scenario`` without ``party`` and every channel touching it."""
    raw = scenario.model_dump(mode="python", by_alias=True)
    del raw["parties"][party]
    raw["channels"] = [ch for ch in raw["channels"] if party not in (ch["from"], ch["to"])]
    raw["uncertainty"] = {k: v for k, v in raw["uncertainty"].items() if not k.startswith(f"parties.{party}.")}
    return build_scenario(raw, scenario.source)


def variants(scenario: Scenario) -> dict[str, Scenario]:
    return {
        "star": scenario,
        "direct": with_direct_channel(scenario, "UA", "RU"),
        "no_E3": without_party(scenario, "E3"),
        "E3_silent": scenario.with_values({"parties.E3.advice_weight": 0.0}),
    }


def _bootstrap_median(values: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    if values.size < 2:
        return math.nan, math.nan
    draws = rng.choice(values, size=(BOOTSTRAP, values.size), replace=True)
    medians = np.median(draws, axis=1)
    return float(np.quantile(medians, 0.025)), float(np.quantile(medians, 0.975))


def summarise(
    name: str, outcomes: pd.DataFrame, scenario: Scenario, star: tuple[Scenario, pd.DataFrame] | None = None
) -> dict:
    n = len(outcomes)
    status = outcomes["status"].astype(str)
    row: dict = {"variant": name, "label": LABELS[name], "worlds": n}
    for s in Outcome.labels():
        row[f"p_{s}"], row[f"p_{s}_low"], row[f"p_{s}_high"] = wilson(int((status == s).sum()), n)
    by_round = scenario.calendar.round_of(min(d.date for d in scenario.deadlines))
    ua = outcomes["accept_round_UA"]
    row["p_UA_accepts_by_27nov"] = wilson(int(((ua >= 0) & (ua <= by_round)).sum()), n)[0]
    ru = outcomes["accept_round_RU"]
    signed = ru[ru >= 0]
    row["p_RU_accepts"], row["p_RU_accepts_low"], row["p_RU_accepts_high"] = wilson(int(signed.size), n)
    row["mean_RU_first_accept_round"] = float(signed.mean()) if signed.size else math.nan
    row["mean_RU_first_accept_round_halfwidth"] = (
        1.96 * float(signed.std(ddof=1)) / math.sqrt(signed.size) if signed.size > 1 else math.nan
    )
    row["mean_RU_first_sign_date"] = (
        str(scenario.calendar.date_of(round(row["mean_RU_first_accept_round"]))) if signed.size else ""
    )
    deals = outcomes.loc[status == "deal", "position_index"].dropna().to_numpy()
    row["deal_position_index_median"] = float(np.median(deals)) if deals.size else math.nan
    rng = np.random.default_rng(20251125)
    row["deal_position_index_low"], row["deal_position_index_high"] = _bootstrap_median(deals, rng)
    row["all_position_index_median"] = float(outcomes["position_index"].median())
    # Paired difference in P(deal) against the star: valid only where the worlds line up seed for seed.
    row["paired_d_p_deal"] = row["paired_d_p_deal_halfwidth"] = math.nan
    if star is not None and name != "star" and list(scenario.parties) == list(star[0].parties):
        d = (status == "deal").to_numpy(float) - (star[1]["status"].astype(str) == "deal").to_numpy(float)
        row["paired_d_p_deal"] = float(d.mean())
        row["paired_d_p_deal_halfwidth"] = 1.96 * float(d.std(ddof=1)) / math.sqrt(n)
    return row


def _figure(table: pd.DataFrame) -> plt.Figure:
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.8), layout="constrained", gridspec_kw={"width_ratios": [2.2, 1, 1]})
    names = list(table["variant"])
    width = 0.8 / len(names)
    groups = [*Outcome.labels(), "RU_accepts"]
    x = np.arange(len(groups))
    for j, (_, row) in enumerate(table.iterrows()):
        p = np.array([row[f"p_{g}"] for g in groups])
        lo = np.array([row[f"p_{g}_low"] for g in groups])
        hi = np.array([row[f"p_{g}_high"] for g in groups])
        pos = x - 0.4 + width * (j + 0.5)
        axes[0].bar(pos, 100 * p, width, color=COLOURS[row["variant"]], label=row["label"])
        axes[0].errorbar(
            pos,
            100 * p,
            yerr=100 * np.clip(np.vstack([p - lo, hi - p]), 0, None),
            fmt="none",
            ecolor="black",
            capsize=3,
        )
        for xi, pi in zip(pos, p):
            axes[0].annotate(
                f"{100 * pi:.1f}",
                (xi, 100 * pi),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                fontsize="x-small",
            )
    axes[0].set_xticks(x, [*Outcome.labels(), "Moscow ever accepts"])
    axes[0].set_ylabel("share of worlds (%), 95% Wilson intervals")
    axes[0].set_ylim(0, 105)
    axes[0].set_title("Outcome shares by topology")
    axes[0].legend(fontsize="small", loc="upper left", bbox_to_anchor=(0.45, 0.99))

    colours = [COLOURS[v] for v in names]
    y = np.arange(len(names))
    axes[1].barh(
        y,
        table["mean_RU_first_accept_round"],
        xerr=table["mean_RU_first_accept_round_halfwidth"],
        color=colours,
        capsize=4,
    )
    axes[1].set_yticks(y, [LABELS[v] for v in names], fontsize="small")
    axes[1].invert_yaxis()
    lo = np.nanmin(table["mean_RU_first_accept_round"]) - 3
    axes[1].set_xlim(max(0, lo), table["mean_RU_first_accept_round"].max() + 2)
    for yi, v in zip(y, table["mean_RU_first_accept_round"]):
        axes[1].annotate(f"{v:.2f}", (v, yi), xytext=(6, -10), textcoords="offset points", fontsize="small")
    axes[1].set_xlabel("round of Moscow's first signature\n(days from 25 Nov)\nmean, 95% CI")
    axes[1].set_title("When Moscow first accepts\n(worlds where it accepts)")

    med = table["deal_position_index_median"]
    err = np.clip(np.vstack([med - table["deal_position_index_low"], table["deal_position_index_high"] - med]), 0, None)
    axes[2].barh(y, med, xerr=err, color=colours, capsize=4)
    axes[2].set_yticks(y, [""] * len(names))
    axes[2].invert_yaxis()
    axes[2].set_xlim(max(0, med.min() - 0.1), min(1.0, med.max() + 0.08))
    for yi, v in zip(y, med):
        axes[2].annotate(f"{v:.3f}", (v, yi), xytext=(6, -10), textcoords="offset points", fontsize="small")
    axes[2].set_xlabel("position index of deals\n(Geneva 19 = 0, Anchorage 28 = 1)\nmedian, 95% bootstrap CI")
    axes[2].set_title("Where deals land")
    n = int(table["worlds"].iloc[0])
    fig.suptitle(f"geneva_vs_anchorage: mediation-graph topology ({n} worlds per variant, same seeds)")
    return fig


def _markdown(table: pd.DataFrame) -> str:
    show = pd.DataFrame({"variant": table["label"]})
    for s in Outcome.labels():
        show[f"{s} %"] = [
            f"{100 * p:.1f} [{100 * lo:.1f}, {100 * hi:.1f}]"
            for p, lo, hi in zip(table[f"p_{s}"], table[f"p_{s}_low"], table[f"p_{s}_high"])
        ]
    show["UA accepts by 27 Nov %"] = (100 * table["p_UA_accepts_by_27nov"]).round(1)
    show["RU ever accepts %"] = (100 * table["p_RU_accepts"]).round(1)
    show["RU first acceptance, mean round"] = [
        f"{m:.2f} ± {h:.2f} ({d})"
        for m, h, d in zip(
            table["mean_RU_first_accept_round"],
            table["mean_RU_first_accept_round_halfwidth"],
            table["mean_RU_first_sign_date"],
        )
    ]
    show["deal position index, median"] = [
        f"{m:.3f} [{lo:.3f}, {hi:.3f}]"
        for m, lo, hi in zip(
            table["deal_position_index_median"], table["deal_position_index_low"], table["deal_position_index_high"]
        )
    ]
    show["ΔP(deal) vs star, paired (pp)"] = [
        "" if not np.isfinite(d) else f"{100 * d:+.2f} ± {100 * h:.2f}"
        for d, h in zip(table["paired_d_p_deal"], table["paired_d_p_deal_halfwidth"])
    ]
    return show.to_markdown(index=False)


def run(out: Path, small: bool = False, processes: int = 1) -> pd.DataFrame:
    """Run the topologies, write the figure and tables into ``out``, return the table
    (one row per variant; ``.attrs["outcomes"]`` maps variant to its outcome table)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    seeds = SMALL_SEEDS if small else FULL_SEEDS
    scenario = load_scenario(SCENARIO)
    results = {}
    for name, sc in variants(scenario).items():
        results[name] = (sc, run_ensemble(sc, seeds, processes=processes, progress=False).outcomes)
    star = results["star"]
    table = pd.DataFrame([summarise(name, o, sc, star) for name, (sc, o) in results.items()])

    table.to_csv(out / "topology.csv", index=False)
    # Mean final value of every clause by variant: where the E3's advice moves the text.
    clauses = [c for c in star[1].columns if c.startswith("x_")]
    means = pd.DataFrame({name: o[clauses].mean() for name, (_, o) in results.items()})
    means.index = [c.removeprefix("x_") for c in clauses]
    means.index.name = "clause"
    means["E3_effect"] = means["star"] - means["no_E3"]
    means.sort_values("E3_effect", ascending=False).to_csv(out / "clause_means.csv")
    md = "\n".join(
        [
            f"# {NAME}: the flagship's mediation graph against two alternatives",
            "",
            f"{seeds} worlds per variant (seeds 0..{seeds - 1}). Shares in % with 95% Wilson intervals; "
            "round 0 = 25 Nov; paired differences use common seeds (not possible for the E3 removal, "
            "which changes every world's random-draw layout).",
            "",
            _markdown(table),
            "",
        ]
    )
    (out / "topology.md").write_text(md, encoding="utf-8")
    fig = _figure(table)
    fig.savefig(out / "topology.png", dpi=120)
    plt.close(fig)
    table.attrs["outcomes"] = {name: o for name, (_, o) in results.items()}
    table.attrs["markdown"] = md
    return table


def main(argv: list[str] | None = None) -> int:
    return study_main(
        __doc__,
        ROOT / "runs" / "studies" / NAME,
        run,
        argv=argv,
        small_help=f"a quick run ({SMALL_SEEDS} seeds)",
        processes=True,
    )


if __name__ == "__main__":
    sys.exit(main())
