"""Compiled kernels for the round's per-world arithmetic (numba, cached on disk).

Each kernel makes one pass over the world arrays it is given and writes into
arrays its caller owns, so a round allocates little. They hold no behaviour of
their own: the agents decide what to compute and call them (utility.evaluate,
the mediator's revision, a principal's objection, the random streams). Every
world's result depends on that world's inputs only, so the bits do not depend on
how the worlds are batched.

Numba compiles each kernel on its first call and caches the machine code beside
this file (or in the user's cache directory when that is read-only), so
compilation happens once per machine, not once per run. Each kernel has one
signature (:func:`negosim.engine.compiled.kernel`), so a one-world run and a
batch share the same machine code.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from negosim.engine.compiled import B1, F4, F8, I1, I4, I8, U8, kernel, reads, writes
from negosim.vocabulary import ClauseStatus

# Clause statuses as plain ints, which numba folds into the machine code.
OPEN, AGREED, BRACKETED = int(ClauseStatus.OPEN), int(ClauseStatus.AGREED), int(ClauseStatus.BRACKETED)
MIN_SALIENCE = 1e-9
# A kernel's "none" for an optional array argument (numba takes no None where an array may go).
NO_FLOATS, NO_FLAGS = np.zeros((0, 0)), np.zeros((0, 0), dtype=bool)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@njit(cache=True, inline="always")
def _mix(z):
    z ^= z >> np.uint64(30)
    z *= _M1
    z ^= z >> np.uint64(27)
    z *= _M2
    z ^= z >> np.uint64(31)
    return z


@kernel(reads(U8, 1))
def stream_keys(seeds):
    """Each world's stream key (W,) uint64 from its seed (W,) uint64: SplitMix64 of the seed."""
    keys = np.empty(seeds.size, dtype=np.uint64)
    for i in range(seeds.size):
        keys[i] = _mix(seeds[i] * _GOLDEN + _M2)
    return keys


@kernel(reads(U8, 1, dense=True), reads(U8, 1, dense=True), U8, writes(F8, 2))
def stream_uniforms(keys, counters, purpose_key, out):
    """``out[w, j]``: the uniform in (0, 1) numbered ``counters[j]`` in world ``w``'s stream
    (keys (W,) uint64, counters (J,) uint64, out (W, J) float64)."""
    mixed = np.empty(counters.size, dtype=np.uint64)
    for j in range(counters.size):
        mixed[j] = _mix(counters[j] * _GOLDEN + purpose_key)
    for w in range(keys.size):
        for j in range(counters.size):
            bits = _mix(keys[w] + mixed[j]) >> np.uint64(11)
            out[w, j] = (np.float64(bits) + 0.5) * _TO_UNIT
    return out


@kernel(
    reads(F8, 3, dense=True), reads(I1, 3, dense=True), *[reads(F8, 3, dense=True)] * 3, reads(B1, 2),
    writes(F8, 2), writes(F8, 3),
)  # fmt: skip
def linear_utility(values, status, ideal, salience, salience_per_span, insists, utility, gradient):
    """Utility (W, P) and gradient (W, P, K) of linear clause values ``v(d) = 1 - d``.

    ``values``/``status`` (W, P|1, K): each party's copy of the text, or one shared text;
    ``ideal``, ``salience``, ``salience_per_span`` (W|1, P, K); ``insists`` (P, K).
    U = 1 - (salience-weighted distance) / (salience counted); a clause off the table counts
    only if the party insists on it, at its worst pole (distance 1), and has no gradient.
    """
    W, P, K = utility.shape[0], utility.shape[1], ideal.shape[2]
    per_world, own_copy = ideal.shape[0] > 1, values.shape[1] > 1
    for w in range(W):
        pw = w if per_world else 0
        for p in range(P):
            tp = p if own_copy else 0
            lost = 0.0
            total = 0.0
            for k in range(K):  # branch-free: the signs below are random, so branches mispredict
                off = status[w, tp, k] > AGREED
                offset = values[w, tp, k] - ideal[pw, p, k]
                slope = 0.0 if off else salience_per_span[pw, p, k] * np.sign(offset)
                counted_off = salience[pw, p, k] if off & insists[p, k] else 0.0  # at its worst pole
                lost += slope * offset + counted_off
                total += (0.0 if off else salience[pw, p, k]) + counted_off
                gradient[w, p, k] = slope
            if total > MIN_SALIENCE:
                u = (total - lost) / total
                utility[w, p] = min(max(u, 0.0), 1.0)
                for k in range(K):
                    gradient[w, p, k] /= -total
            else:
                utility[w, p] = 0.0
                for k in range(K):
                    gradient[w, p, k] = 0.0
    return utility, gradient


@kernel(
    reads(F4, 4, dense=True), reads(B1, 4, dense=True), reads(I8, 2), reads(B1, 1), reads(F8, 2), reads(F8, 1),
    reads(F8, 2), reads(B1, 1), reads(F8, 1), reads(B1, 1),
    writes(I1, 2), writes(B1, 2), writes(I4, 2), writes(F8, 2), writes(B1, 2), writes(B1, 1), *[writes(B1, 2)] * 3,
)  # fmt: skip
def hear_objections(
    values, arrived, slot, is_principal, weights, own_weight, own_gradient, revising, thresholds, insists,
    status, reopened, contested, pull, heard_from, any_objection, up, down, reopen,
):  # fmt: skip
    """The first half of the mediator's revision, for every world at once: the weighted pull
    of the objections that arrived, and the clauses they reopen.

    ``values``/``arrived`` (slots, W, P, K): the objections that reached it and which did,
    sender ``i``'s on clause ``k`` in ``slot[i, k]`` (-1: none due); ``is_principal`` (P,):
    which senders are principals;
    ``weights`` (1|W, P); ``own_weight`` (1|W,); ``own_gradient`` (W, K); ``revising`` (W,);
    ``thresholds`` (1|W,): how hard a push must be to count as up or down. Writes pull
    (W, K), heard_from (W, P), any_objection (W,), up, down (W, K). A bracketed clause a
    principal speaks to (or the mediator ``insists`` on) is reopened (``reopen`` (W, K),
    ``reopened``, ``status`` updated); a clause pulled both ways is contested one revision
    longer. (Arrays go one by one, not in tuples: numba types a tuple argument on every
    call, which costs more than the work here.)
    """
    W, P, K = values.shape[1:]
    for w in range(W):
        ww = w if weights.shape[0] > 1 else 0
        if not revising[w]:  # who was heard, and nothing else: the text is not revised here
            for i in range(P):
                got = False
                for k in range(K):
                    t = slot[i, k]
                    got |= (t >= 0) and arrived[t, w, i, k]
                heard_from[w, i] = got
            any_objection[w] = False
            for k in range(K):
                reopen[w, k] = False
            continue
        threshold = thresholds[w if thresholds.shape[0] > 1 else 0]
        for k in range(K):
            pull[w, k] = 0.0
            up[w, k] = down[w, k] = False
            reopen[w, k] = False  # until the last loop: whether a principal spoke to the clause
        heard = False
        for i in range(P):  # one pass over the objections (sender by sender, as the pull is summed)
            got = False
            weight = weights[ww, i]
            principal = is_principal[i]
            for k in range(K):
                t = slot[i, k]
                if t >= 0:
                    got |= arrived[t, w, i, k]
                    v = values[t, w, i, k]
                    pull[w, k] += weight * np.float64(v)
                    if principal:
                        reopen[w, k] |= v != 0
                        up[w, k] |= v > threshold
                        down[w, k] |= v < -threshold
            heard_from[w, i] = got
            heard |= got & (weight > 0)
        any_objection[w] = heard
        own = own_weight[w if own_weight.shape[0] > 1 else 0]
        factor = 1.0 if heard else 0.0
        for k in range(K):
            pull[w, k] += own * own_gradient[w, k] * factor
            again = (status[w, k] == BRACKETED) & (reopen[w, k] | insists[k])
            reopen[w, k] = again
            status[w, k] = OPEN if again else status[w, k]
            reopened[w, k] |= again
            contested[w, k] = contested[w, k] + 1 if up[w, k] & down[w, k] else 0


@kernel(
    reads(B1, 1), reads(B1, 1), writes(F8, 2), writes(I1, 2), reads(I4, 2), reads(B1, 2), reads(B1, 2), reads(B1, 1),
    reads(B1, 2), reads(I8, 1), reads(B1, 2), reads(B1, 2), I8, reads(F8, 2, dense=True), reads(B1, 1), reads(B1, 2),
    reads(B1, 2), writes(B1, 1), reads(F8, 2), reads(F8, 2), reads(F8, 1), reads(F8, 1), writes(F8, 2), writes(F8, 2),
    writes(I4, 1), writes(F8, 3), writes(I1, 3), writes(B1, 2), writes(F8, 2), writes(B1, 1),
)  # fmt: skip
def settle_and_step(
    active, revising, text, status, contested, reopened, locked, insists, heard_from, principals, up, down, after,
    pull, any_objection, reopen, defer, set_elsewhere, hull_low, hull_high, bounds, factors,
    clause_step, last_direction, version, drafts, draft_status, bracket, step, changed,
):  # fmt: skip
    """The second half of the mediator's revision, for every world at once.

    Where it revises: clauses contested for ``after`` revisions go to the leaders
    (``bracket`` (W, K); ``after`` < 0: never); once every principal has been heard
    (``heard_from`` (W, P)), a clause no one pushes hard on (``up``, ``down``) is agreed
    and one pushed hard is open. Then, where the world still talks: resilient (Rprop)
    steps along the ``pull``, and the new draft where the text changed (it moved, or a
    clause was reopened, bracketed or deferred: ``defer`` (W, K) or (0, 0), or it was set
    elsewhere this round).

    ``hull_low``, ``hull_high`` (1|W, K): the text stays inside; ``bounds``: (min, max)
    step; ``factors`` (3,): the step's multiplier after a flip, a pause, a repeat;
    ``clause_step``, ``last_direction`` (W, K) and ``version`` (W,) are updated in place;
    ``drafts``, ``draft_status`` (drafts, W, K) get the new draft; writes step (W, K)
    and changed (W,).
    """
    W, K = text.shape
    for w in range(W):
        if revising[w]:
            settling = True
            for i in principals:
                settling &= heard_from[w, i]
            for k in range(K):
                free = not locked[w, k]
                goes = (after >= 0) & (contested[w, k] >= after) & (status[w, k] <= AGREED) & free
                goes &= (not reopened[w, k]) & (not insists[k])
                bracket[w, k] = goes
                status[w, k] = BRACKETED if goes else status[w, k]
                settles = settling & free & (status[w, k] <= AGREED)
                status[w, k] = (OPEN if up[w, k] | down[w, k] else AGREED) if settles else status[w, k]
        else:
            for k in range(K):
                bracket[w, k] = False
        if not active[w]:  # an ended world's text and revision memory stay as they were
            changed[w] = set_elsewhere[w] = False
            continue
        hw = w if hull_low.shape[0] > 1 else 0
        moved = False
        aside = set_elsewhere[w]
        objected = any_objection[w]
        for k in range(K):  # branch-free, as in linear_utility
            aside |= reopen[w, k] | bracket[w, k] | (defer.shape[0] > 0 and defer[w, k])
            movable = (status[w, k] <= AGREED) & objected & (not locked[w, k])
            direction = np.sign(pull[w, k] * movable)
            agreement = direction * last_direction[w, k]
            factor = factors[1] if agreement == 0 else (factors[2] if agreement > 0 else factors[0])
            clause_step[w, k] = min(max(clause_step[w, k] * factor, bounds[0]), bounds[1])
            last_direction[w, k] = direction if direction != 0 else last_direction[w, k]
            step[w, k] = direction * clause_step[w, k]
            moved |= objected & (step[w, k] != 0)
        changed[w] = moved | aside
        set_elsewhere[w] = False
        if not changed[w]:
            continue
        for k in range(K):
            text[w, k] = min(max(text[w, k] + step[w, k], hull_low[hw, k]), hull_high[hw, k])
        version[w] += 1
        for k in range(K):
            drafts[version[w], w, k] = text[w, k]
            draft_status[version[w], w, k] = status[w, k]


@kernel(
    reads(I8, 1), reads(B1, 3, dense=True), reads(I4, 2, dense=True), reads(F8, 3, dense=True),
    reads(I1, 3, dense=True), reads(B1, 1), writes(I4, 2), writes(F8, 3), writes(I1, 3), writes(B1, 2),
)  # fmt: skip
def deliver_texts(slot, delivered, versions, texts, statuses, active, held_version, held, held_status, new):
    """Texts due this round reach the parties: party ``i``'s was sent in ``slot[i]`` (-1: none
    due) of the mailbox's ``delivered`` (slots, W, P), ``versions`` (slots, W), ``texts`` and
    ``statuses`` (slots, W, K). A newer version than the one held (W, P) replaces ``held`` and
    ``held_status`` (W, P, K) in active worlds; ``new`` (W, P) says where."""
    W, P = held_version.shape
    for w in range(W):
        for i in range(P):
            t = slot[i]
            arriving = versions[t, w] if t >= 0 and delivered[t, w, i] else -1
            new[w, i] = active[w] and arriving > held_version[w, i]
            if new[w, i]:
                held_version[w, i] = arriving
                for k in range(held.shape[2]):  # element by element: a slice copy compiles ten times slower
                    held[w, i, k] = texts[t, w, k]
                    held_status[w, i, k] = statuses[t, w, k]
    return new


@kernel(reads(I4, 2), reads(I8, 1), writes(B1, 3), writes(I4, 2), writes(B1, 2), writes(I4, 1))
def register_acceptances(got, signatories, accepted_drafts, received, ever_accepted, agreed):
    """Acceptances reaching the mediator: ``got`` (W, P) names the version each party
    accepted (-1: none). Marks ``accepted_drafts`` (W, P, drafts), raises ``received``
    (W, P) to the latest version heard, sets ``ever_accepted`` (W, P), and raises
    ``agreed`` (W,) to the latest draft that every one of ``signatories`` has accepted
    (-1: none yet); only an arriving acceptance can complete a draft, so checking the
    drafts named here keeps ``agreed`` exact."""
    W, P = got.shape
    for w in range(W):
        for p in range(P):
            v = got[w, p]
            if v < 0:
                continue
            accepted_drafts[w, p, v] = True
            received[w, p] = max(received[w, p], v)
            ever_accepted[w, p] = True
            complete = v > agreed[w]
            for j in signatories:
                complete &= accepted_drafts[w, j, v]
            agreed[w] = v if complete else agreed[w]


@kernel(
    reads(B1, 1), reads(I4, 2), reads(I4, 1), reads(I8, 1), reads(F8, 2), reads(F8, 1), I8, reads(F8, 2),
    reads(F8, 2), reads(F8, 2), reads(I8, 1), writes(F8, 2), writes(I8, 1), writes(F8, 2), writes(F8, 2),
    writes(B1, 2),
)  # fmt: skip
def apply_leverage(
    revising, received, version, targets, per_round_base, impatience, round_index, most, credible, credibility,
    start, pressure_sent, messages, felt, amount, believed,
):  # fmt: skip
    """The mediator's leverage this round on each principal ``targets[j]`` that has not
    accepted the current ``version`` (W,) (``received`` (W, P): the latest version each
    accepted), where the text is ``revising`` (W,) and from round ``start[j]``:
    ``per_round_base`` (1|W, T) grown by ``impatience`` (1|W,) per round, within what is
    left of ``most`` (1|W, T) after ``pressure_sent`` (W, P).

    Writes ``amount`` (W, T), adds it to ``pressure_sent`` and counts a message per
    threat in ``messages`` (W,); where the threat is ``believed`` (the ``credible`` draw
    (W, P) below ``credibility`` (1|W, T)), the amount goes into ``felt`` (W, P), the
    round's threat slot, else 0.
    """
    W, T = amount.shape
    for w in range(W):
        bw, mw = w if per_round_base.shape[0] > 1 else 0, w if most.shape[0] > 1 else 0
        cw = w if credibility.shape[0] > 1 else 0
        grown = 1.0 + impatience[w if impatience.shape[0] > 1 else 0] * round_index
        for j in range(T):
            i = targets[j]
            per_round = per_round_base[bw, j] * grown
            room = max(most[mw, j] - pressure_sent[w, i], 0.0)
            on = revising[w] & (received[w, i] < version[w]) & (round_index >= start[j]) & (per_round > 0)
            given = min(per_round, room) if on else 0.0
            amount[w, j] = given
            pressure_sent[w, i] += given
            messages[w] += given > 0
            believed[w, j] = credible[w, i] < credibility[cw, j]
            felt[w, i] = given if believed[w, j] else 0.0
