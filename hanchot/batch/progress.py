"""Progress on stderr: a redrawn bar on a terminal, plain log lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

_BAR_EVERY = 0.2  # seconds between redraws on a terminal
_LOG_EVERY = 10.0  # seconds between log lines otherwise


def _eta(done: float, total: float, elapsed: float) -> str:
    if done <= 0 or total <= 0 or done >= total:
        return "-"
    left = elapsed * (total - done) / done
    return f"{left:,.0f}s" if left < 600 else f"{left / 60:,.0f}min"


class Progress:
    """Counts events read, events evaluated and agencies done; draws or logs them."""

    def __init__(
        self, enabled: bool | None, *, total_bytes: int, files: list[str], agencies: int, out: TextIO | None = None
    ) -> None:
        self.out = out or sys.stderr
        self.tty = bool(getattr(self.out, "isatty", lambda: False)())
        self.enabled = True if enabled is None else enabled
        self.bar = self.tty if enabled is None else (enabled and self.tty)
        self.total_agencies = agencies
        self.estimate = self._estimate_lines(files, total_bytes)
        self.name = ""
        self.total = 0
        self.count = 0
        self.read_total = 0
        self.agencies = 0
        self.t0 = time.perf_counter()
        self.last = 0.0

    @staticmethod
    def _estimate_lines(files: list[str], total_bytes: int) -> int:
        for name in files:
            if name.lower().endswith((".jsonl", ".ndjson", ".json", ".csv")):
                with open(name, "rb") as fh:
                    sample = fh.read(1 << 20)
                if sample.count(b"\n"):
                    return int(total_bytes / (len(sample) / sample.count(b"\n")))
        return 0

    def phase(self, name: str, total: int = 0) -> None:
        self.name, self.total, self.count = name, total, 0
        self.t0 = time.perf_counter()
        self.last = 0.0
        if self.enabled and not self.bar:
            self._log(f"{name}: started")

    def read(self, n: int) -> None:
        self.count += n
        self.read_total += n
        self._tick()

    def evaluated(self, n: int) -> None:
        self.count += n
        self._tick()

    def agencies_done(self, n: int) -> None:
        self.agencies += n
        self._tick(force=True)

    def _line(self) -> str:
        elapsed = time.perf_counter() - self.t0
        rate = self.count / elapsed if elapsed > 0 else 0.0
        if self.name == "read":
            total = self.estimate
            return f"reading: {self.count:,} events ({rate:,.0f}/s), ~{_eta(self.count, total, elapsed)} left"
        return (
            f"evaluating: {self.count:,}/{self.total:,} events, {self.agencies:,}/{self.total_agencies:,} agencies done "
            f"({rate:,.0f} events/s), ~{_eta(self.count, self.total, elapsed)} left"
        )

    def _tick(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        every = _BAR_EVERY if self.bar else _LOG_EVERY
        if not force and now - self.last < every:
            return
        if not self.bar and force and now - self.last < 1.0:
            return
        self.last = now
        if self.bar:
            self.out.write("\r\x1b[2K" + self._line()[:150])
            self.out.flush()
        else:
            self._log(self._line())

    def _log(self, text: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        self.out.write(f"hanchot batch {stamp} {text}\n")
        self.out.flush()

    def done_phase(self) -> None:
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.t0
        text = f"{self.name}: {self.count:,} events in {elapsed:,.1f}s"
        if self.bar:
            self.out.write("\r\x1b[2K" + text + "\n")
            self.out.flush()
        else:
            self._log(text)

    def finish(self, summary: dict[str, Any]) -> None:
        if not self.enabled:
            return
        o, i = summary["obligations"], summary["input"]
        self._log(
            f"done: {i['read']:,} events read, {o['total']:,} obligations, {o['violations']:,} violations, "
            f"{len(summary['partitions']['failed'])} failed partition(s), {summary['timings_s']['total']:.1f}s"
        )
