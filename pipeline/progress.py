"""Show how an extract run is going: a progress bar on a terminal, log lines elsewhere.

A run over many notes takes a while (spaCy over every line), so a person at a
terminal gets a live bar; CI logs and pipes get one plain line per note
instead, since a redrawn bar is noise in a file. Both go to stderr, leaving
stdout to the one summary line. `--quiet` shows neither, `--verbose` adds each
note's timing and the files written.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress


def is_terminal() -> bool:
    """Whether stderr is a terminal a bar can be redrawn on."""
    return sys.stderr.isatty()


class Reporter:
    """A `run.Progress` callback that draws a bar or logs lines, as a context manager."""

    def __init__(self, *, quiet: bool = False, verbose: bool = False, terminal: bool | None = None):
        self.quiet = quiet
        self.verbose = verbose
        self.terminal = is_terminal() if terminal is None else terminal
        self.bar: Progress | None = None
        self.task = None
        self.started = self.last = time.perf_counter()

    def __enter__(self) -> Reporter:
        self.started = self.last = time.perf_counter()
        if self.terminal and not self.quiet:
            # rich loads only for a bar: a log or a pipe gets plain lines (0.04 s of a cached run)
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            console = Console(stderr=True, force_terminal=True, highlight=False, soft_wrap=True)
            self.bar = Progress(SpinnerColumn(), TextColumn("extract"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), TextColumn("{task.description}"),
                                console=console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task("loading rules and models", total=None)
        return self

    def __exit__(self, *exc) -> None:
        if self.bar:
            self.bar.stop()

    def log(self, message: str) -> None:
        """Print one plain line (above the bar, when there is one)."""
        if self.quiet:
            return
        if self.bar:
            self.bar.console.print(message, markup=False, highlight=False)
        else:
            print(message, file=sys.stderr, flush=True)

    def __call__(self, done: int, total: int, name: str, entries: int) -> None:
        now = time.perf_counter()
        seconds, self.last = now - self.last, now
        if self.quiet:
            return
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, completed=done, total=total, description=name)
            if self.verbose:
                self.log(f"{name}: {entries} entries in {seconds:.2f}s")
            return
        timing = f" in {seconds:.2f}s" if self.verbose else ""
        self.log(f"extract [{done}/{total}] {name}: {entries} entries{timing}")

    def written(self, out: Path) -> None:
        """With --verbose, list the files an extract run wrote and the total time."""
        if not self.verbose or self.quiet:
            return
        for path in sorted(out.iterdir()):
            if path.is_file():
                self.log(f"wrote {path} ({path.stat().st_size} bytes)")
        self.log(f"done in {time.perf_counter() - self.started:.2f}s")
