"""Will a run fit? A memory estimate made before any work starts, refused in one line if it cannot;
and how many CPUs this process may use (its affinity and its cgroup's quota, not the machine's count).

A chunk of W worlds is one model whose largest arrays hold every round's draft
of every clause for every world, and a handful of (worlds, parties, clauses)
temporaries per round; :func:`world_bytes` bounds that from above (measured
with tracemalloc on the flagship, a teaching scenario and 50- and
200-clause scenarios: the peak stayed between 55% and 90% of the estimate).
Each worker process also carries the libraries (:data:`WORKER_BASE`), and
the parent keeps the summary's columns of every world.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from negosim.errors import OutputError
from negosim.scenario import Scenario

MiB = 2**20
WORKER_BASE = 256 * MiB  # a process with numpy, pandas, pyarrow and Mesa loaded (measured 170-260 MiB)
SUMMARY_BYTES = 16  # per world and summary column the parent holds (a float and its share of an index)
USABLE = 0.8  # the share of available memory a run may plan to use


def world_bytes(scenario: Scenario) -> int:
    """An upper estimate of the memory one world takes inside a chunk, in bytes.

    >>> from negosim import load_scenario
    >>> world_bytes(load_scenario("geneva_vs_anchorage")) // 1024
    103
    """
    rounds, clauses, parties = scenario.calendar.rounds + 1, len(scenario.clauses), len(scenario.parties)
    return 12 * rounds * clauses + 256 * parties * clauses + 4096


def available_memory() -> int | None:
    """Bytes this process may still use: the smaller of the kernel's MemAvailable and the cgroup's
    limit less its usage (v2, then v1); None if neither can be read."""
    found = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    for limit, usage in (
        ("memory.max", "memory.current"),
        ("memory/memory.limit_in_bytes", "memory/memory.usage_in_bytes"),
    ):
        try:
            cap = Path("/sys/fs/cgroup", limit).read_text().strip()
            used = int(Path("/sys/fs/cgroup", usage).read_text())
        except (OSError, ValueError):
            continue
        if cap.isdigit() and int(cap) < 2**60:
            found.append(int(cap) - used)
        break
    return min(found) if found else None


def usable_cpus(cgroup: Path = Path("/sys/fs/cgroup")) -> int:
    """The CPUs this process may run on: its affinity mask, cut to its cgroup's CPU quota (v2
    ``cpu.max``, then v1 ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us``), rounded down, at least 1.
    ``os.cpu_count()`` counts the machine's CPUs, which a container or ``taskset`` may not give us.

    >>> 1 <= usable_cpus() <= (os.cpu_count() or 1)
    True
    """
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    quota = None
    try:
        limit, period = (cgroup / "cpu.max").read_text().split()[:2]
        quota = None if limit == "max" else int(limit) / int(period)
    except (OSError, ValueError):
        try:
            limit = int((cgroup / "cpu" / "cpu.cfs_quota_us").read_text())
            period = int((cgroup / "cpu" / "cpu.cfs_period_us").read_text())
            quota = limit / period if limit > 0 and period > 0 else None
        except (OSError, ValueError):
            pass
    if quota is not None:
        cpus = min(cpus, int(quota))
    return max(1, cpus)


def size_text(n_bytes: float) -> str:
    """A memory size for people.

    >>> size_text(3 * 2**30), size_text(5 * 2**20), size_text(3000), size_text(2**50)
    ('3.0 GiB', '5 MiB', '3 KiB', '1,024 TiB')
    """
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:,.0f} {unit}" if unit != "GiB" else f"{n_bytes / scale:.1f} GiB"
    return f"{math.ceil(n_bytes / 1024)} KiB"


def plan_chunk_size(scenario: Scenario, worlds: int, workers: int, chunk_size: int, *, chosen: bool,
                    summary_columns: int, available: int | None = None) -> int:  # fmt: skip
    """The chunk size to use: ``chunk_size`` if the run fits in memory, else the largest that fits
    (when the size was not ``chosen`` by the user); an OutputError says what does not fit and what to do.

    >>> from negosim import load_scenario
    >>> flagship = load_scenario("geneva_vs_anchorage")
    >>> plan_chunk_size(flagship, 10_000, 2, 2_500, chosen=False, summary_columns=40, available=8 * 2**30)
    2500
    >>> plan_chunk_size(flagship, 10_000, 2, 2_500, chosen=False, summary_columns=40, available=2**30)
    221
    """
    available = available_memory() if available is None else available
    if available is None:
        return chunk_size
    budget = USABLE * available
    parent = WORKER_BASE + worlds * (summary_columns * SUMMARY_BYTES + 8)
    if parent > budget:
        raise OutputError(
            f"{worlds:,} worlds need about {size_text(parent)} of memory for their summary alone, and this "
            f"machine has {size_text(available)} available: run fewer seeds at a time (--first-seed continues a series)"
        )
    per_world, pools = world_bytes(scenario), max(workers, 1) if workers > 1 else 0
    room = budget - parent - pools * WORKER_BASE
    fit = math.floor(room / (max(workers, 1) * per_world)) if room > 0 else 0
    if chunk_size <= fit:
        return chunk_size
    need = parent + pools * WORKER_BASE + max(workers, 1) * chunk_size * per_world
    if fit >= 1 and not chosen:
        return fit
    advice = f"use --chunk-size {fit} or fewer" if fit >= 1 else "use fewer"
    raise OutputError(
        f"{scenario.meta.name}: {workers} process(es) with chunks of {chunk_size:,} worlds need about "
        f"{size_text(need)} of memory ({size_text(per_world)} per world), and this machine has "
        f"{size_text(available)} available: {advice} --processes"
    )
