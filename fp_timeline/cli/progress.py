"""What the long-running subcommands share: progress bars (one per clip for a render), Ctrl-C as a clean cancel,
and its exit status."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as Bars

from fp_timeline.cli.app import console, err_console, plain
from fp_timeline.engine.generator import CancelToken, Progress
from fp_timeline.engine.planner import PlannedJob
from fp_timeline.project.takes import Take
from fp_timeline.project.text import printable

EXIT_CANCELLED = 130  # the shell's convention for "ended by SIGINT"


def progress_bars() -> Bars:
    return Bars(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


@contextlib.contextmanager
def cancel_on_sigint() -> Iterator[CancelToken]:
    """First Ctrl-C sets the cancel token (clean stop); a second one interrupts at once."""
    cancel = CancelToken()

    def handler(signum, frame) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.cancel()
        err_console.print(plain(("cancelling after the current step… (Ctrl-C again to abort now)", "yellow")))

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread (e.g. embedded): no handler, still cancellable
        yield cancel
        return
    try:
        yield cancel
    finally:
        signal.signal(signal.SIGINT, previous)


class ClipBars:
    """A render's progress: an overall bar of clips, and a bar per clip that follows its generator's steps."""

    def __init__(self, bars: Bars, count: int) -> None:
        self.bars = bars
        self.count = count
        self.overall = bars.add_task("clips", total=count)
        self.tasks: dict[str, int] = {}
        self.messages: set[str] = set()
        self.done: list[str] = []  # clips whose take is saved

    def on_job(self, index: int, count: int, job: PlannedJob) -> None:
        if job.reuse is not None:  # nothing to generate: the matching take is switched back on
            self.bars.add_task(escape(printable(f"{job.clip} back to {job.reuse}")), total=1, completed=1)
            return
        self.tasks[job.clip] = self.bars.add_task(escape(printable(job.clip)), total=None)

    def on_take(self, job: PlannedJob, take: Take) -> None:
        self.done.append(job.clip)
        self.bars.update(self.overall, completed=len(self.done))

    def on_progress(self, p: Progress) -> None:
        # A report without a step count is a notice ("loading models", "tiny preset: random
        # weights", which Ray worker took the clip), and resuming from checkpoints is worth a
        # line too: print those once.  Step reports move the clip's bar and show in its label.
        if (p.stage == "resume" or p.total == 0) and p.message and p.message not in self.messages:
            self.messages.add(p.message)
            self.bars.console.print(plain((p.clip, "cyan"), f": {p.message}"))
        if p.total == 0:
            return
        task = self.tasks.get(p.clip)
        if task is not None:
            label = p.message or p.stage + (f" section {p.section}/{p.sections}" if p.sections else "")
            self.bars.update(task, total=p.total, completed=p.step, description=escape(printable(f"{p.clip} {label}")))

    def finish(self) -> None:
        self.bars.update(self.overall, completed=self.count)
