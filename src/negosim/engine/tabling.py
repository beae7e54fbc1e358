"""The mediator's own drafts, tabled on scheduled dates (``[[schedule]]`` kind ``draft``).

On the draft's date the mediator replaces its text (except clauses of packages already
signed) with the named text, as its next version. If the draft has an ``until`` date and
by then not every principal a deal needs has accepted that version, the mediator
withdraws it and returns to the text it held before, as a further version: a draft that
overreaches and is rolled back (Mitchell's Strand Two annexes in April 1998).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from negosim.vocabulary import ScheduleKind

if TYPE_CHECKING:
    from negosim.engine.mediator import Mediator


@dataclass
class _Tabled:
    text: np.ndarray  # what the mediator held before (W, K)
    status: np.ndarray
    version: np.ndarray  # the version the draft became (W,), -1 where not tabled


class TabledDrafts:
    """Scheduled drafts: (round tabled, reference values and statuses, round of the roll-back check)."""

    def __init__(self, mediator: Mediator):
        model = mediator.model
        calendar = model.spec.calendar
        self.items = [
            (
                calendar.round_of(c.date),
                model.params.reference[c.text],
                None if c.until is None else calendar.last_round_by(c.until),
                c.label or c.text,
            )
            for c in model.spec.schedule
            if c.kind == ScheduleKind.DRAFT
        ]
        self.open: dict[int, _Tabled] = {}

    def act(self, mediator: Mediator, worlds: np.ndarray) -> tuple[np.ndarray, list[tuple[str, bool]]]:
        """Table or roll back the drafts due this round in ``worlds`` (W,); the worlds whose
        text changed (W,), and what happened (label, rolled back) for the narrative."""
        m, changed, told = mediator.model, np.zeros(worlds.shape, dtype=bool), []
        free = True if mediator.locked is None else ~mediator.locked
        for j, (at, (values, status), until, label) in enumerate(self.items):
            if m.round == at and worlds.any():
                self.open[j] = _Tabled(
                    mediator.text.copy(), mediator.status.copy(), np.where(worlds, mediator.version + 1, -1)
                )
                put = worlds[:, None] & free
                mediator.text = np.where(put, values, mediator.text)
                mediator.status = np.where(put, status, mediator.status).astype(np.int8)
                changed |= worlds
                told.append((label, False))
            if until is not None and m.round == until and j in self.open:
                tabled = self.open.pop(j)
                version = np.maximum(tabled.version, 0)
                rows = np.arange(version.size)
                accepted = mediator.accepted_drafts[rows[:, None], m.signatory_idx[None, :], version[:, None]].all(
                    axis=1
                )
                back = worlds & (tabled.version >= 0) & ~accepted
                put = back[:, None] & free
                mediator.text = np.where(put, tabled.text, mediator.text)
                mediator.status = np.where(put, tabled.status, mediator.status).astype(np.int8)
                changed |= back
                if back.any():
                    told.append((label, True))
        return changed, told
