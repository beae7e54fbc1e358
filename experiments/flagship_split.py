"""Where "Ukraine agrees, Russia waits" comes from: an ablation of the flagship.

What it computes: a *neutral* version of the flagship, in which nothing
favours either side's timing (a start text at the capability x salience
weighted mean of the two sides' ideals with every clause on the table, equal
one-day channels of equal reliability, no deadline, no pressure, linear
tactics from full aspiration, equal reservation values with no expected gains
and equal war costs, equal capabilities, no red lines, no veto, no insistence,
an even-handed mediator with no interests of its own, a silent E3, and the same
planning horizon for both), then

* the neutral version plus each of the flagship's ingredients alone, and
* the full flagship minus each ingredient (that part put back to neutral),

each on the same world seeds, reporting the split by date:
P(Kyiv has accepted a version and Moscow has not), the reverse, and each
side's acceptance and a deal. The findings are in the README ("The split,
explained").

Run: ``.venv/bin/python experiments/flagship_split.py [--out DIR] [--small] [--processes N]``
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from negosim import load_scenario
from negosim.analysis.reference import weighted_mean_text
from negosim.analysis.summary import happened_by
from negosim.runs.chunks import execute
from negosim.runs.study import study_main
from negosim.scenario import Scenario, build_scenario
from negosim.scenario.keypaths import lookup, set_path

ROOT = Path(__file__).resolve().parents[1]
NAME = "flagship_split"
FULL = {"seeds": 2000}
SMALL = {"seeds": 60}
DATES = ("2025-11-27", "2025-12-31", "2026-03-31")
SPLIT_DATE = DATES[1]  # the figure's date: on the shared mechanism Kyiv accepts after Thanksgiving

# Each ingredient: the key paths the flagship sets and the neutral version does not.
INGREDIENTS: dict[str, list[str]] = {
    "Geneva start text (brackets, deferrals)": ["mediator.start_text"],
    "Moscow's insistence on the Anchorage core": ["parties.RU.insists_on"],
    "Moscow's veto": ["parties.RU.veto"],
    "red lines (both sides)": ["parties.UA.red_lines", "parties.RU.red_lines"],
    "channels as they ran (latency, reliability)": ["channels"],
    "Thanksgiving deadline for Kyiv": ["deadlines"],
    "US pressure": ["mediator.leverage"],
    "tactics (the shared mechanism's Boulware, drawn per side)": ["parties.UA.tactic", "parties.RU.tactic"],
    "reservations and the war (expected gains, costs)": [
        "parties.UA.reservation",
        "parties.RU.reservation",
        "battlefield",
    ],
    "capabilities": ["parties.UA.capability", "parties.RU.capability"],
    "mediator's bias and interests": ["mediator.bias", "mediator.own_weight", "mediator.insists_on"],
    "Moscow's own planning horizon": ["parties.RU.time"],
    "the E3's advice": ["parties.E3.advice_weight"],
}
EQUAL_HORIZON = 180.0  # days: both sides' planning horizon in the neutral version


def neutral(flagship: Scenario) -> dict:
    """The flagship with every ingredient set so that it favours neither side (a plain dict)."""
    raw = flagship.model_dump(mode="python", by_alias=True)
    raw["uncertainty"] = {}
    text = weighted_mean_text(flagship)
    raw["texts"]["neutral"] = {
        "label": "weighted mean of the two sides' ideals",
        "values": dict(zip(flagship.clause_ids, text.round(4).tolist())),
    }
    raw["mediator"].update(start_text="neutral", bias=0.0, own_weight=0.0, insists_on=[], leverage={})
    for pid in ("UA", "RU"):
        party = raw["parties"][pid]
        party.update(insists_on=[], red_lines={}, veto=None, capability=0.5, time={"horizon_days": EQUAL_HORIZON})
        party["tactic"] = {"kind": "linear", "exponent": 1.0, "initial": 1.0, "reciprocity": 1.0}
        party["reservation"] = {
            "base": 0.42,
            "territory_weight": 0.0,
            "expected_drift": 0.0,
            "lookahead": 0.0,
            "war_cost": 0.0015,
        }
    raw["parties"]["E3"]["advice_weight"] = 0.0
    raw["deadlines"] = []
    raw["battlefield"] = {"territory": 0.5, "drift": 0.0, "volatility": 0.0}
    for channel in raw["channels"]:
        if "US" in (channel["from"], channel["to"]):
            channel.update(latency=1, reliability=0.95)
    return raw


def with_parts(base: dict, donor: Scenario, parts: list[str]) -> Scenario:
    """``base`` with the flagship's values at ``parts`` (and their uncertainty) put back."""
    raw = copy.deepcopy(base)
    donor_raw = donor.model_dump(mode="python", by_alias=True)
    for path in parts:
        set_path(raw, path, copy.deepcopy(lookup(donor_raw, path)))
        for key, dist in donor_raw["uncertainty"].items():
            if key == path or key.startswith(path + "."):
                raw["uncertainty"][key] = dist
    if "parties.RU.time" in parts:  # Moscow's horizon with its range, Kyiv keeps the neutral one
        raw["uncertainty"]["parties.RU.time.horizon_days"] = donor_raw["uncertainty"]["parties.RU.time.horizon_days"]
    return build_scenario(raw, "<ablation>")


def variants(flagship: Scenario) -> dict[str, Scenario]:
    base = neutral(flagship)
    out = {"neutral": build_scenario(copy.deepcopy(base), "<ablation>")}
    for name, parts in INGREDIENTS.items():
        out[f"neutral + {name}"] = with_parts(base, flagship, parts)
    out["flagship"] = flagship
    everything = [p for parts in INGREDIENTS.values() for p in parts]
    for name, parts in INGREDIENTS.items():
        out[f"flagship - {name}"] = with_parts(base, flagship, [p for p in everything if p not in parts])
    return out


def _row(name: str, table: pd.DataFrame, scenario: Scenario) -> dict:
    row = {"variant": name, "worlds": len(table)}
    for date in DATES:
        d = pd.Timestamp(date).date()
        ua = happened_by(table, "accept_round_UA", scenario, d)
        ru = happened_by(table, "accept_round_RU", scenario, d)
        row[f"UA accepts, RU not @{date}"] = float((ua & ~ru).mean())
        row[f"RU accepts, UA not @{date}"] = float((ru & ~ua).mean())
        row[f"deal @{date}"] = float(happened_by(table, "deal_round", scenario, d).mean())
    return row


def run(out: Path, small: bool = False, processes: int = 1) -> pd.DataFrame:
    config = SMALL if small else FULL
    out.mkdir(parents=True, exist_ok=True)
    flagship = load_scenario("geneva_vs_anchorage")
    scenarios = variants(flagship)
    seeds = np.arange(config["seeds"])
    tasks = {f"{i:03d}": (s, seeds) for i, s in enumerate(scenarios.values())}
    columns = ["seed", "accept_round_UA", "accept_round_RU", "deal_round"]
    tables = execute(
        tasks,
        workers=processes,
        executor=None,
        store=None,
        total=len(tasks) * seeds.size,
        desc=NAME,
        progress=False,
        decorate=lambda key, table: table[columns],
    )
    table = pd.DataFrame([_row(name, tables[f"{i:03d}"], scenarios[name]) for i, name in enumerate(scenarios)])
    table.to_csv(out / f"{NAME}.csv", index=False)
    shown = [
        "variant",
        *(f"UA accepts, RU not @{d}" for d in DATES[:2]),
        *(f"RU accepts, UA not @{d}" for d in DATES[:2]),
        f"deal @{DATES[2]}",
    ]
    markdown = "\n".join(
        [
            f"# {NAME}: where the split comes from ({config['seeds']} common-seed worlds per variant)",
            "",
            "Shares in %.",
            "",
            (table[shown].set_index("variant") * 100).round(1).to_markdown(),
            "",
        ]
    )
    (out / f"{NAME}.md").write_text(markdown, encoding="utf-8")
    fig = _figure(table)
    fig.savefig(out / f"{NAME}.png", dpi=150)
    plt.close(fig)
    table.attrs["markdown"] = markdown
    return table


def _figure(table: pd.DataFrame):
    key, rev = f"UA accepts, RU not @{SPLIT_DATE}", f"RU accepts, UA not @{SPLIT_DATE}"
    rows = table.iloc[::-1]
    fig, ax = plt.subplots(figsize=(9.5, 0.3 * len(rows) + 1.6), layout="constrained")
    y = np.arange(len(rows))
    ax.barh(y + 0.2, 100 * rows[key], height=0.4, color="#457b9d", label="Kyiv accepts, Moscow has not")
    ax.barh(y - 0.2, 100 * rows[rev], height=0.4, color="#e63946", label="Moscow accepts, Kyiv has not")
    ax.set_yticks(y, rows["variant"], fontsize=7)
    ax.set_xlabel(f"share of worlds by {SPLIT_DATE} (%)")
    ax.set_title("geneva_vs_anchorage: which ingredients make the split")
    ax.legend(fontsize="small", loc="lower right")
    return fig


def main(argv: list[str] | None = None) -> int:
    small = "a quick run (60 worlds per variant)"
    return study_main(__doc__, ROOT / "runs" / "studies" / NAME, run, argv=argv, small_help=small, processes=True)


if __name__ == "__main__":
    sys.exit(main())
