"""The teaching levers, and the one-world model that the demo and ``animate`` show.

``DemoModel`` is a :class:`~negosim.engine.model.NegotiationModel` whose ``__init__``
takes the levers as keyword arguments with defaults, which is what Mesa's
Mesa's ModelController needs: its Reset button re-creates the model with the sliders'
values. A lever left at ``None`` keeps the scenario's own value (which may be
drawn per world, as the flagship draws the mediator's bias); a lever given a
value fixes it, dropping any ``[uncertainty]`` entry for it.

Levers (``a`` and ``b`` are the scenario's first and second principals: UA and
RU on the flagship):

=================  ==============================================  ==========================
keyword            scenario key path                               values
=================  ==============================================  ==========================
``seed``           the world's seed                                int >= 0
``deadline``       ``deadlines.0.kind``                            hard, soft, absent
``pressure_a/_b``  ``mediator.leverage.<P>.per_round``             >= 0 (value of no deal per round)
``bias``           ``mediator.bias``                               -1 (Kyiv/low pole) .. +1
``tactic_a/_b``    ``parties.<P>.tactic.kind``                     boulware, conceder, linear, tit_for_tat
``drift``          ``battlefield.drift``                           territory change per round
``direct_channel`` :func:`negosim.scenario.edits.with_direct_channel` a full a-b channel
=================  ==============================================  ==========================
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

from negosim.analysis.narrative import Recorder
from negosim.engine.model import NegotiationModel
from negosim.scenario import Scenario, build_scenario, load_scenario, resolve_scenario
from negosim.scenario.edits import with_direct_channel
from negosim.scenario.overrides import apply_assignments
from negosim.vocabulary import DeadlineKind, TacticKind

TACTICS = tuple(kind.value for kind in TacticKind)
DEADLINE_KINDS = tuple(kind.value for kind in DeadlineKind)


SET_ENV = "NEGOSIM_DEMO_SET"  # the command line's --set assignments, a JSON list, for the server's pages


@lru_cache(maxsize=16)
def _load(path: str, mtime: float, assignments: tuple[str, ...]) -> Scenario:
    return apply_assignments(load_scenario(path), list(assignments))


def load_base(scenario_file: str | Path | None) -> Scenario:
    """The scenario by path or shipped name (default: the flagship) with the ``--set`` values the
    command line gave (:data:`SET_ENV`), cached while unchanged."""
    path = resolve_scenario(None if scenario_file is None else str(scenario_file))
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = -1.0  # load_scenario reports the missing file
    return _load(str(path), mtime, tuple(json.loads(os.environ.get(SET_ENV, "[]"))))


def principals_ab(scenario: Scenario) -> tuple[str, str | None]:
    """The principals the ``_a`` and ``_b`` levers act on."""
    principals = scenario.principals
    return principals[0], (principals[1] if len(principals) > 1 else None)


def lever_defaults(scenario: Scenario) -> dict:
    """Every lever at the scenario's own (central) value."""
    a, b = principals_ab(scenario)
    med = scenario.mediator

    def pressure(pid: str | None) -> float:
        return float(med.leverage[pid].per_round) if pid in med.leverage else 0.0

    def tactic(pid: str | None) -> str:
        t = scenario.parties[pid].tactic if pid else None
        return t.kind if t else "linear"

    return {
        "seed": 0,
        "deadline": scenario.deadlines[0].kind if scenario.deadlines else None,
        "pressure_a": pressure(a),
        "pressure_b": pressure(b),
        "bias": float(med.bias),
        "tactic_a": tactic(a),
        "tactic_b": tactic(b),
        "drift": float(scenario.battlefield.drift),
        "direct_channel": False,
    }


def apply_levers(
    scenario: Scenario,
    *,
    deadline: str | None = None,
    pressure: dict[str, float] | None = None,
    bias: float | None = None,
    tactic: dict[str, str] | None = None,
    drift: float | None = None,
    direct_channel: bool = False,
) -> Scenario:
    """A copy of ``scenario`` with the given levers fixed (None: unchanged).

    ``pressure`` and ``tactic`` map principal ids to values. A principal the
    scenario gives no leverage entry gets one (credibility 1, capped at the
    per-round value times the number of rounds). A changed tactic kind takes
    that kind's default exponent.
    """
    raw = scenario.model_dump(mode="python", by_alias=True)
    uncertain = raw["uncertainty"]

    def fix(path: str) -> None:
        uncertain.pop(path, None)

    if deadline is not None:
        if deadline not in DEADLINE_KINDS:
            raise ValueError(f"deadline must be one of {', '.join(DEADLINE_KINDS)}, got {deadline!r}")
        if not raw["deadlines"]:
            raise ValueError(f"{scenario.meta.name} has no deadline to change")
        raw["deadlines"][0]["kind"] = deadline
    if bias is not None:
        if not -1.0 <= float(bias) <= 1.0:
            raise ValueError(f"bias must lie in [-1, 1], got {bias}")
        raw["mediator"]["bias"] = float(bias)
        fix("mediator.bias")
    if drift is not None:
        raw["battlefield"]["drift"] = float(drift)
        fix("battlefield.drift")
    for pid, value in (pressure or {}).items():
        _set_pressure(raw, scenario, pid, value)
    for pid, kind in (tactic or {}).items():
        _set_tactic(raw, scenario, pid, kind)
    changed = build_scenario(raw, scenario.source)
    if direct_channel:
        a, b = principals_ab(changed)
        if b is None:
            raise ValueError(f"{scenario.meta.name} has one principal: no direct channel to open")
        changed = with_direct_channel(changed, a, b)
    return changed


def _set_pressure(raw: dict, scenario: Scenario, pid: str, value: float) -> None:
    _need_principal(scenario, pid)
    if value < 0:
        raise ValueError(f"pressure on {pid} must be at least 0, got {value}")
    leverage = raw["mediator"]["leverage"]
    if pid in leverage:
        leverage[pid]["per_round"] = float(value)
    else:
        leverage[pid] = {"per_round": float(value), "maximum": float(value) * scenario.calendar.rounds}
    raw["uncertainty"].pop(f"mediator.leverage.{pid}.per_round", None)


def _set_tactic(raw: dict, scenario: Scenario, pid: str, kind: str) -> None:
    _need_principal(scenario, pid)
    if kind not in TACTICS:
        raise ValueError(f"tactic must be one of {', '.join(TACTICS)}, got {kind!r}")
    party = raw["parties"][pid]
    current = party.get("tactic")
    if current is None:
        party["tactic"] = {"kind": kind}
    elif current["kind"] != kind:
        current["kind"] = kind
        current["exponent"] = None  # the new kind's own exponent
        raw["uncertainty"].pop(f"parties.{pid}.tactic.exponent", None)


def _need_principal(scenario: Scenario, pid: str) -> None:
    if pid not in scenario.principals:
        raise ValueError(f"{pid!r} is not a principal of {scenario.meta.name} ({', '.join(scenario.principals)})")


class DemoModel(NegotiationModel):
    """One recorded world of a scenario with the teaching levers applied.

    Its :class:`~negosim.analysis.narrative.Recorder` (``recorder``) keeps the
    DataCollector's record, the events and, per round played, the text's
    clause statuses, so a view can redraw any past round.
    """

    def __init__(
        self,
        scenario_file: str | None = None,
        seed: int = 0,
        deadline: str | None = None,
        pressure_a: float | None = None,
        pressure_b: float | None = None,
        bias: float | None = None,
        tactic_a: str | None = None,
        tactic_b: str | None = None,
        drift: float | None = None,
        direct_channel: bool = False,
    ):
        base = load_base(scenario_file)
        a, b = principals_ab(base)
        pressure = {p: v for p, v in ((a, pressure_a), (b, pressure_b)) if p is not None and v is not None}
        tactic = {p: v for p, v in ((a, tactic_a), (b, tactic_b)) if p is not None and v is not None}
        spec = apply_levers(
            base,
            deadline=deadline,
            pressure=pressure,
            bias=bias,
            tactic=tactic,
            drift=drift,
            direct_channel=bool(direct_channel),
        )
        super().__init__(spec, seeds=[int(seed)])
        self.recorder = Recorder(self)
        self.scenario_file = scenario_file
        self.base_spec = base
        self.levers = dict(
            seed=int(seed),
            deadline=deadline,
            pressure_a=pressure_a,
            pressure_b=pressure_b,
            bias=bias,
            tactic_a=tactic_a,
            tactic_b=tactic_b,
            drift=drift,
            direct_channel=bool(direct_channel),
        )

    @property
    def rounds_played(self) -> int:
        return self.round

    def settings_line(self) -> str:
        """The levers in force, in words (what the page shows above the narrative)."""
        s = self.spec
        a, b = principals_ab(s)
        med = s.mediator
        parts = [f"seed {self.levers['seed']}"]
        low, high = s.meta.poles
        if "mediator.bias" in s.uncertainty:
            parts.append("mediator bias drawn per world")
        else:
            parts.append(f"mediator bias {med.bias:+.2f} (-1 {low} .. +1 {high})")
        if s.deadlines:
            d = s.deadlines[0]
            parts.append(f"deadline {d.label or d.date.isoformat()} {d.kind}")
        for pid in (a, b):
            if pid is None:
                continue
            per_round = med.leverage[pid].per_round if pid in med.leverage else 0.0
            parts.append(f"{med.party} pressure on {pid} {per_round:.3f}/round")
        for pid in (a, b):
            if pid is None:
                continue
            t = s.parties[pid].tactic
            parts.append(f"{pid} {t.kind if t else 'linear'}")
        if "battlefield.drift" in s.uncertainty:
            parts.append("battlefield drift drawn per world")
        else:
            parts.append(f"battlefield drift {s.battlefield.drift:+.4f}/round")
        if b is not None:
            parts.append(f"direct {a}-{b} channel {'on' if self.levers['direct_channel'] else 'off'}")
        return " · ".join(parts)
