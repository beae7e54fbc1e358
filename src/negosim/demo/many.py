"""Beyond the one world on the page: many worlds under the levers, and one world with and without a change.

``ensemble_chunks`` runs a scenario over seeds in small chunks (so the page can show progress)
and ``ensemble_html`` shows the outcome shares and the dated questions with their 95% Wilson
intervals, as ``negosim run`` prints them. ``compare_worlds`` plays one seed to its end under
two sets of levers and ``compare_html`` sets the two endings and texts side by side.

>>> from negosim import load_scenario
>>> scenario = load_scenario("teaching_two_party")
>>> done, table = list(ensemble_chunks(scenario, 30, chunk=20))[-1]
>>> done, len(table)
(30, 10)
"""

from __future__ import annotations

import html
from collections.abc import Iterator

import pandas as pd

from negosim.analysis.summary import summarize
from negosim.demo.levers import DemoModel
from negosim.demo.views import outcome
from negosim.runs.ensemble import run_ensemble
from negosim.scenario import Scenario

CHUNK = 100


def ensemble_chunks(scenario: Scenario, worlds: int, chunk: int = CHUNK) -> Iterator[tuple[int, pd.DataFrame]]:
    """(worlds done, that chunk's outcome table) for seeds 0..worlds-1, a chunk at a time."""
    for start in range(0, worlds, chunk):
        seeds = range(start, min(start + chunk, worlds))
        table = run_ensemble(scenario, seeds, processes=1, progress=False, figures=False).outcomes
        yield seeds.stop, table


def _pct(entry: dict) -> str:
    return (
        f"{100 * entry['p']:.1f}% <span style='color:#777'>[{100 * entry['low']:.1f}, {100 * entry['high']:.1f}]</span>"
    )


def ensemble_html(outcomes: pd.DataFrame, scenario: Scenario) -> str:
    """Outcome shares (with a bar) and each dated question's probability, with 95% intervals."""
    summary = summarize(outcomes, scenario)
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{_pct(entry)}</td><td><div style='background:#457b9d;height:10px;"
        f"width:{100 * entry['p']:.1f}px'></div></td></tr>"
        for name, entry in summary["outcomes"].items()
        if entry["count"]
    )
    dates = summary["by_date"]
    labels = [k for k in dates[0] if k != "date"] if dates else []
    head = "".join(f"<th>by {e['date']}</th>" for e in dates)
    body = "".join(
        f"<tr><td>{html.escape(label)}</td>" + "".join(f"<td>{_pct(e[label])}</td>" for e in dates) + "</tr>"
        for label in labels
    )
    return (
        f'<div class="negosim-ensemble-result" style="font-size:12px"><p><b>{summary["worlds"]} worlds</b> '
        f"(seeds 0 to {summary['worlds'] - 1}) under these levers; 95% Wilson intervals.</p>"
        f"<table><tr><th>outcome</th><th>share</th><th></th></tr>{rows}</table>"
        f'<div style="overflow-x:auto"><table><tr><th>question</th>{head}</tr>{body}</table></div></div>'
    )


def compare_worlds(before: dict, after: dict) -> tuple[DemoModel, DemoModel]:
    """One seed played to its end under each set of levers (the keyword arguments of DemoModel)."""
    return DemoModel(**before).run(), DemoModel(**after).run()


def _ending(model: DemoModel) -> str:
    events = model.recorder.events()
    words = events.loc[events["kind"] == "end", "words"]
    return str(words.iloc[-1]) if len(words) else "The talks had not ended."


def compare_html(a: DemoModel, b: DemoModel, changes: list[str]) -> str:
    """The two endings, then the final text clause by clause, the clauses that differ first."""
    texts = pd.DataFrame({"clause": a.clause_ids, "before": a.mediator.text[0], "after": b.mediator.text[0]})
    texts["change"] = texts["after"] - texts["before"]
    texts = texts.reindex(texts["change"].abs().sort_values(ascending=False).index)
    rows = "".join(
        f"<tr><td>{html.escape(r.clause)}</td><td>{r.before:.2f}</td><td>{r.after:.2f}</td>"
        f"<td style='color:{'#b2182b' if r.change > 0.005 else '#2166ac' if r.change < -0.005 else '#999'}'>"
        f"{r.change:+.2f}</td></tr>"
        for r in texts.itertuples(index=False)
    )

    def side(model: DemoModel, title: str) -> str:
        ended = outcome(model) or "not ended"
        return (
            f'<div style="flex:1;min-width:0"><b>{html.escape(title)}: {html.escape(ended.upper())}</b> after '
            f"{model.round} rounds<p style='margin:2px 0'>{html.escape(_ending(model))}</p></div>"
        )

    return (
        f'<div class="negosim-compare-result" style="font-size:12px"><p>Seed {a.levers["seed"]}, changed: '
        f"{html.escape('; '.join(changes))}</p>"
        f'<div style="display:flex;gap:12px">{side(a, "Without the change")}{side(b, "With the change")}</div>'
        f"<p style='margin:4px 0'>The final text, clause by clause (0 = {html.escape(a.spec.meta.poles[0])} pole, "
        f"1 = {html.escape(a.spec.meta.poles[1])} pole):</p><div style='max-height:220px;overflow-y:auto'>"
        f"<table><tr><th>clause</th><th>without</th><th>with</th><th>change</th></tr>{rows}</table></div></div>"
    )
