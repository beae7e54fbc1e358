"""Compiled kernels for the parties at the table: judging the text, deciding, objecting.

The principals and observers (:mod:`negosim.engine.principal`) decide what to do;
these kernels do the per-world arithmetic of a response in one pass each, writing
into arrays the agent owns. Every world's result depends on that world's inputs
only (see :mod:`negosim.engine.kernels`).
"""

from __future__ import annotations

import numpy as np

from negosim.engine.compiled import B1, F4, F8, I1, I4, I8, kernel, reads, writes
from negosim.engine.kernels import AGREED, BRACKETED


@kernel(
    reads(F8, 2), reads(I1, 2), reads(F8, 2), reads(I8, 1), reads(F8, 2), reads(F8, 2), reads(B1, 1), F8, reads(I8, 1),
    reads(F8, 1), reads(F8, 2), reads(F8, 2), reads(F8, 2), reads(F8, 1), writes(F8, 2), writes(B1, 1), writes(F8, 2),
    writes(B1, 1),
)  # fmt: skip
def judge_text(
    held, held_status, worst, line_clauses, red_lo, red_hi, insists, push,
    veto_clauses, veto_reference, veto_inverse_span, veto_share, veto_pull, veto_tolerance,
    lines, lines_ok, veto_push, veto_ok,
):  # fmt: skip
    """A principal's red lines and veto on the text it holds (``held``, ``held_status``
    (W, K); a clause off the table sits at its ``worst`` pole (1|W, K)).

    Red lines: a counted clause (open, or in ``insists``) outside [``red_lo``, ``red_hi``]
    (1|W, L) on ``line_clauses`` pushes back ``push`` times the gap's sign, into ``lines``
    (W, L); ``lines_ok`` (W,): none crossed. Veto (``veto_clauses`` empty: none): the
    share-weighted distance of the core clauses from ``veto_reference``, in spans (summed in
    clause order, as numpy sums fewer than eight terms), within
    ``veto_tolerance`` (1|W,) sets ``veto_ok`` (W,); otherwise ``veto_push`` (W, core) is
    ``veto_pull`` times each clause's gap toward the reference.
    """
    W, L, C = held.shape[0], line_clauses.size, veto_clauses.size
    for w in range(W):
        ww = w if worst.shape[0] > 1 else 0
        rw = w if red_lo.shape[0] > 1 else 0
        ok = True
        for j in range(L):
            k = line_clauses[j]
            counted = held_status[w, k] <= AGREED
            value = held[w, k] if counted else worst[ww, k]
            gap = min(max(value, red_lo[rw, j]), red_hi[rw, j]) - value
            crossed = (counted | insists[k]) & (abs(gap) > 1e-12)
            lines[w, j] = push * np.sign(gap) if crossed else 0.0
            ok &= not crossed
        lines_ok[w] = ok
        vw = w if veto_share.shape[0] > 1 else 0
        distance = 0.0
        for j in range(C):
            k = veto_clauses[j]
            value = held[w, k] if held_status[w, k] <= AGREED else worst[ww, k]
            gap = (veto_reference[j] - value) * veto_inverse_span[vw, j]
            veto_push[w, j] = veto_pull[vw, j] * gap
            distance += veto_share[vw, j] * abs(gap)
        veto_ok[w] = distance <= veto_tolerance[w if veto_tolerance.shape[0] > 1 else 0]
        for j in range(C if veto_ok[w] else 0):
            veto_push[w, j] = 0.0


@kernel(
    reads(B1, 1), reads(I4, 1), *[reads(F8, 1)] * 4, reads(F8, 1), reads(B1, 1), reads(B1, 1), reads(F8, 1),
    reads(F8, 1), I8, B1, reads(F8, 1), I8, I8, F8, reads(I4, 1), reads(I4, 1), writes(B1, 1),
    writes(I4, 1, dense=False), writes(I4, 1), writes(I4, 1), writes(I8, 1), writes(I4, 1), writes(B1, 1),
    writes(F8, 1), writes(I4, 1), writes(B1, 1), writes(I4, 1), writes(B1, 1),
)  # fmt: skip
def decide(
    talking, held_version, utility, reservation, aspiration, noise, noise_draw, lines_ok, veto_ok,
    signature_draw, signal_reliability, round_index, signs_on_acceptance, walkout_margin, walkout_patience,
    resend_after, surplus_floor, responded_version, last_objection,
    accepts, acceptance, accept_round, sign_round, messages, accepted_version,
    objects, urgency, below_count, walked, walk_round, walks,
):  # fmt: skip
    """A principal's decisions on the text it holds, for every world at once.

    It accepts where it talks and holds a version (``held_version`` >= 0), the text is
    worth its aspiration (with decision noise) and its value of no deal, and neither a
    red line nor its veto is against it; ``acceptance`` (its mailbox slot, W) gets the
    version where the message will arrive (``signature_draw`` below the route's
    ``signal_reliability`` (1|W,)), -1 elsewhere. It records its first acceptance
    (``accept_round``; also ``sign_round`` if accepting is signing), counts a message for
    each new version accepted, and keeps ``accepted_version``. It objects (``objects``)
    where it did not accept, has not accepted this version before, and has something
    new to answer or waited ``resend_after`` rounds; ``urgency`` grows as the surplus
    over no deal shrinks (floored at ``surplus_floor``). It walks out (``walks``) after
    ``walkout_patience`` rounds in a row below its value of no deal by ``walkout_margin``.
    ``noise``, ``walkout_margin`` are (1|W,).
    """
    W = held_version.shape[0]
    for w in range(W):
        held = held_version[w]
        active = talking[w] and held >= 0
        nw = w if noise.shape[0] > 1 else 0
        willing = (utility[w] + noise[nw] * noise_draw[w] >= aspiration[w]) & (utility[w] >= reservation[w])
        yes = active & willing & lines_ok[w] & veto_ok[w]
        accepts[w] = yes
        arrives = signature_draw[w] < signal_reliability[w if signal_reliability.shape[0] > 1 else 0]
        acceptance[w] = held if yes and arrives else -1
        accept_round[w] = round_index if yes and accept_round[w] < 0 else accept_round[w]
        sign_round[w] = accept_round[w] if signs_on_acceptance else sign_round[w]
        messages[w] += yes and accepted_version[w] != held
        accepted_version[w] = held if yes else accepted_version[w]
        answer = held > responded_version[w] or round_index - last_objection[w] >= resend_after
        objects[w] = active and not yes and accepted_version[w] != held and answer
        urgency[w] = 1.0 / max(utility[w] - reservation[w], surplus_floor)
        below = active and utility[w] < reservation[w] - walkout_margin[w if walkout_margin.shape[0] > 1 else 0]
        below_count[w] = below_count[w] + 1 if below else 0
        walks[w] = below and below_count[w] >= walkout_patience
        walked[w] |= walks[w]
        walk_round[w] = round_index if walks[w] and walk_round[w] < 0 else walk_round[w]


@kernel(
    reads(B1, 1), reads(F8, 2), reads(F8, 1), reads(I8, 1), reads(F8, 2), reads(I8, 1), reads(F8, 2), reads(I1, 2),
    reads(I8, 1), reads(F8, 2), reads(B1, 2), reads(F8, 2), reads(F8, 2), I8, reads(I4, 1), writes(F8, 2),
    writes(F8, 2), writes(F4, 2, dense=False), writes(B1, 2, dense=False), writes(I8, 1), writes(I4, 1), writes(I4, 1),
)  # fmt: skip
def send_objection(
    sending, gradient, urgency, veto_clauses, veto_push, insisted, bracket_direction, held_status,
    line_clauses, lines, settled, reliability, draws, round_index, held_version,
    wants, objection, values, arrived, messages, last_objection, responded_version,
):  # fmt: skip
    """A party's objection (W, K), composed and posted where ``sending`` (W,).

    The pull it wants: its ``gradient``, plus the push toward its veto's reference on
    ``veto_clauses`` (``veto_push`` (W, core)) and toward its ``insisted`` clauses while
    they are bracketed (``bracket_direction`` (1|W, insisted)), scaled by ``urgency``
    (W,), into ``wants``; the objection adds its red lines' push (``lines`` (W, L) on
    ``line_clauses``) and says nothing on ``settled`` clauses ((W, K), or (0, 0) for
    none), into ``objection``. It goes into its mailbox slot ``values`` (float32) and
    ``arrived`` (W, K) where its route delivers it: a draw below the route's
    ``reliability`` (1|W, K), or without ``draws`` ((0, 0)) a route that exists (the slot
    was cleared at the start of the round). Where sent, the party counts a message and
    remembers the round (``last_objection``) and the version it answered.
    """
    W, K = wants.shape
    for w in range(W):
        if not sending[w]:
            continue
        for k in range(K):
            wants[w, k] = gradient[w, k]
        for j in range(veto_clauses.size):
            wants[w, veto_clauses[j]] += veto_push[w, j]
        bw = w if bracket_direction.shape[0] > 1 else 0
        for j in range(insisted.size):
            bracketed = held_status[w, insisted[j]] == BRACKETED
            wants[w, insisted[j]] += bracket_direction[bw, j] if bracketed else 0.0
        for k in range(K):
            wants[w, k] *= urgency[w]
            objection[w, k] = wants[w, k]
        for j in range(line_clauses.size):
            objection[w, line_clauses[j]] += urgency[w] * lines[w, j]
        for k in range(K if settled.shape[0] else 0):
            objection[w, k] = 0.0 if settled[w, k] else objection[w, k]
        rw = w if reliability.shape[0] > 1 else 0
        for k in range(K):
            delivered = draws[w, k] < reliability[rw, k] if draws.shape[0] else reliability[rw, k] > 0
            arrived[w, k] = delivered
            values[w, k] = objection[w, k] * (1.0 if delivered else 0.0)
        messages[w] += 1
        last_objection[w] = round_index
        responded_version[w] = held_version[w]
