"""What the long-running subcommands share: progress bars, Ctrl-C as a clean cancel, and its exit status."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as Bars

from fp_timeline.cli.app import console, err_console, plain
from fp_timeline.engine.generator import CancelToken

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
