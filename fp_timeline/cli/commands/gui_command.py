"""``gui``: open the editor window.  Qt is imported inside the command so ``--help`` stays fast."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fp_timeline.cli.app import app


@app.command()
def gui(
    project: Annotated[Path | None, typer.Argument(help="A project (.otio) to open.")] = None,
) -> None:
    """Open the timeline editor window."""
    from fp_timeline.ui.app import run  # lazy: PySide6 takes a while to import

    raise typer.Exit(run(project))
