"""The constraints in force on a deal: red lines, vetoes, and the start text's brackets.

A reference point computed over every text can be one nobody could sign (on
the flagship, the unconstrained Nash text crosses three of Kyiv's red lines).
:func:`limits_in_force` states what a signable text must respect, as the
:class:`~negosim.analysis.reference_solvers.Limits` the solvers take:

* **red lines**: every party's bounds on the clauses it counts, intersected;
* **vetoes**: each veto's weighted distance from its reference text;
* **brackets** (optional): the clauses the start text sets aside stay off the
  table at their start values; a party that insists on one counts it at its
  worst pole, against its red lines and its veto.

It returns the limits and, when no text can satisfy them, the reason instead.

>>> from negosim import load_scenario
>>> limits, why = limits_in_force(load_scenario("teaching_two_party"), ["A", "B"], brackets=True)
>>> limits.lower.tolist(), limits.upper.tolist(), why
([0.0, 0.0], [1.0, 1.0], '')
"""

from __future__ import annotations

import numpy as np

from negosim.analysis.reference_solvers import Limits, base_scenario
from negosim.engine.params import ModelParams
from negosim.engine.streams import WorldStreams
from negosim.scenario import Scenario
from negosim.vocabulary import ClauseStatus


def limits_in_force(scenario: Scenario, parties: list[str], *, brackets: bool) -> tuple[Limits | None, str]:
    """The limits a signable text respects for ``parties`` (red lines, vetoes; with
    ``brackets``, the start text's off-table clauses too), or (None, why) if none can."""
    base = base_scenario(scenario)
    params = ModelParams.build(base, WorldStreams([0]))
    ids, K = base.clause_ids, len(base.clause_ids)
    values, status = params.reference[base.mediator.start_text]
    status = status if brackets else np.zeros(K, dtype=np.int8)
    off = status > ClauseStatus.AGREED
    lower, upper = np.zeros(K), np.ones(K)
    vetoes = []
    for pid in parties:
        party = base.parties[pid]
        worst = np.where(params.prefs.ideal[0, base.party_ids.index(pid)] < 0.5, 1.0, 0.0)  # its far pole
        for cid, bound in party.red_lines.items():
            k = ids.index(cid)
            if not off[k]:
                lower[k], upper[k] = max(lower[k], bound.min), min(upper[k], bound.max)
            elif cid in party.insists_on and not bound.min <= worst[k] <= bound.max:
                return None, f"{pid} counts {cid}, set aside in the start text, at its worst pole, past its red line"
        if party.veto is not None:
            veto = _veto(base, params, pid, off, worst)
            if veto is None:
                return None, f"{pid}'s veto: the clauses set aside at its worst pole already exceed its tolerance"
            vetoes.append(veto)
    lower[off] = upper[off] = values[off]
    if (lower > upper + 1e-12).any():
        k = int(np.flatnonzero(lower > upper)[0])
        return None, f"the red lines on {ids[k]} leave no value every party can accept"
    return Limits(lower, upper, status, tuple(vetoes)), ""


def _veto(base: Scenario, params: ModelParams, pid: str, off: np.ndarray, worst: np.ndarray):
    """(reference, weight, tolerance) of a party's veto; clauses off the table count at the
    party's worst pole, so their part of the distance comes off the tolerance."""
    veto, i = base.parties[pid].veto, base.party_ids.index(pid)
    core = np.isin(base.clause_ids, veto.clauses)
    salience, span = params.prefs.salience[0, i], params.prefs.span[0, i]
    weight = np.where(core, salience / salience[core].sum() / span, 0.0)
    reference = params.reference[veto.reference][0]
    tolerance = veto.tolerance - float((weight * np.abs(reference - worst))[off].sum())
    if tolerance < 0:
        return None
    return reference, np.where(off, 0.0, weight), tolerance
