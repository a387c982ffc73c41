"""``gui``: open the editor window.  Qt is imported inside the command so ``--help`` stays fast."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from fp_timeline.cli.app import EXIT_PROBLEM, app, err_console

DISPLAY_VARIABLES = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")


@app.command()
def gui(
    project: Annotated[Path | None, typer.Argument(help="A project (.otio) to open.")] = None,
) -> None:
    """Open the timeline editor window."""
    if sys.platform.startswith("linux") and not any(os.environ.get(v) for v in DISPLAY_VARIABLES):
        # Without this, Qt aborts the process with a long plugin message instead of an error.
        err_console.print(
            "[red]error:[/red] no display to open a window on (DISPLAY is not set); "
            "on a server use the CLI commands, or QT_QPA_PLATFORM=offscreen for a headless check"
        )
        raise typer.Exit(EXIT_PROBLEM)
    from fp_timeline.ui.app import run_and_exit  # lazy: PySide6 takes a while to import

    run_and_exit(project)
