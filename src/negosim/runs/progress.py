"""Progress on long work: a live bar on a terminal, one plain line per step in a log.

A log (stderr redirected to a file, CI) gets no carriage returns: a line at
the start, then one each tenth of the way or each minute, whichever comes
first, and one at the end. The clock is read only for these messages; no
result depends on it.

>>> import io
>>> log = io.StringIO()
>>> with Progress(total=200, initial=0, desc="demo", stream=log) as bar:
...     bar.update(100); bar.update(100)
>>> print(log.getvalue().replace("\\r", "<CR>"), end="")  # doctest: +ELLIPSIS
demo: 0/200 worlds (0%)
demo: 100/200 worlds (50%), ... s elapsed, about ... s left
demo: 200/200 worlds (100%) in ... s
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

LOG_STEP = 0.1  # a line each tenth of the way...
LOG_SECONDS = 60.0  # ...or each minute, whichever comes first


class Progress:
    """Worlds done out of ``total`` (``initial`` of them already on disk)."""

    def __init__(self, total: int, initial: int, desc: str, *, enabled: bool = True, stream: TextIO | None = None):
        self.total, self.done, self.desc, self._first = total, initial, desc, initial
        self.stream = sys.stderr if stream is None else stream
        self.enabled = enabled
        self._bar = None
        self._started = time.monotonic()
        self._said_at, self._said_done = self._started, initial
        if not enabled:
            return
        if self.stream.isatty():
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, initial=initial, unit="world", unit_scale=total >= 10_000, desc=desc,
                             file=self.stream, smoothing=0.05, dynamic_ncols=True)  # fmt: skip
        else:
            self._say(f"{desc}: {initial:,}/{total:,} worlds ({self._percent(initial)})")

    def _percent(self, done: int) -> str:
        return f"{100 * done / self.total:.0f}%" if self.total else "100%"

    def _say(self, line: str) -> None:
        print(line, file=self.stream, flush=True)

    def update(self, worlds: int) -> None:
        self.done += worlds
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(worlds)
            return
        now = time.monotonic()
        step = self.done - self._said_done >= LOG_STEP * self.total
        if self.done < self.total and (step or now - self._said_at >= LOG_SECONDS):
            elapsed = now - self._started
            rate = (self.done - self._first) / elapsed if elapsed > 0 else 0.0
            left = f", about {(self.total - self.done) / rate:.0f} s left" if rate > 0 else ""
            self._say(f"{self.desc}: {self.done:,}/{self.total:,} worlds ({self._percent(self.done)}), "
                      f"{elapsed:.0f} s elapsed{left}")  # fmt: skip
            self._said_at, self._said_done = now, self.done

    def close(self) -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.close()
        elif self.done >= self.total:
            self._say(
                f"{self.desc}: {self.done:,}/{self.total:,} worlds (100%) in {time.monotonic() - self._started:.0f} s"
            )

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
