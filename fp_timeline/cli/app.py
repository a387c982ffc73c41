"""The Typer application and what every subcommand shares: the console and error reporting."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from fp_timeline.engine.validation import validate_project
from fp_timeline.project.document import Project, load_project
from fp_timeline.project.errors import ProjectError

app = typer.Typer(
    name="fp-timeline",
    help="A video editor whose timeline is an OTIO project and whose clips are generated (FramePack F1).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

EXIT_PROBLEM = 2

ProjectArg = Annotated[Path, typer.Argument(help="The project file (.otio).")]


@contextlib.contextmanager
def reporting_errors() -> Iterator[None]:
    """Turn project errors into a readable list on stderr and exit status 2; no tracebacks."""
    try:
        yield
    except ProjectError as err:
        for problem in err.problems:
            err_console.print(f"[red]error:[/red] {problem}")
        raise typer.Exit(EXIT_PROBLEM) from None


def open_project(path: Path) -> Project:
    with reporting_errors():
        return load_project(path)


def require_valid(project: Project) -> None:
    """Raise a ``ProjectError`` listing every problem ``validate_project`` finds, if any."""
    problems = validate_project(project)
    if problems:
        raise ProjectError(problems)
