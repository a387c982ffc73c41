"""The Typer application and what every subcommand shares: the console, plain-text output, errors.

Everything a user or a file supplies (prompts, clip names, paths) is printed as plain text: never
read as Rich markup, control characters escaped.  ``SafeGroup`` is the last line: a ``ProjectError``
or an ``OSError`` from anywhere becomes a one-line error and exit status 2; anything else is a bug
and prints its traceback with a request to report it.
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

from fp_timeline.cli.ray_option import optional_ray_value
from fp_timeline.engine.validation import validate_project
from fp_timeline.project.document import Project, load_project
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.lock import project_lock
from fp_timeline.project.text import printable

EXIT_PROBLEM = 2
EXIT_BUG = 70  # EX_SOFTWARE: an internal error, not the user's input
ISSUES_HINT = "this is a bug in fp-timeline, not something you did: please report it with the text above"

console = Console(highlight=False, emoji=False)
err_console = Console(stderr=True, highlight=False, emoji=False)


def plain(*parts: str | tuple[str, str]) -> Text:
    """A line of plain text: strings as they are (escaped), ``(text, style)`` pairs styled, no markup parsed."""
    return Text.assemble(*((printable(p[0]), p[1]) if isinstance(p, tuple) else printable(p) for p in parts))


def print_error(message: object, label: str = "error", style: str = "red") -> None:
    err_console.print(plain((f"{label}:", style), " ", str(message)))


class SafeGroup(TyperGroup):
    """Every subcommand runs inside this: user problems print one clear line each, bugs say they are bugs."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        return super().parse_args(ctx, optional_ray_value(list(args)))  # ``--ray`` may come without a value

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):  # usage errors: Typer prints them itself
            raise
        except ProjectError as err:
            _print_problems(err.problems)
        except OSError as err:  # the file system said no: a full disk, a read-only folder, a missing file
            where = f"{err.filename}: " if err.filename else ""
            print_error(f"{where}{err.strerror or err}")
        except UnicodeError as err:
            print_error(f"text that is not valid UTF-8: {err}")
        except KeyboardInterrupt:
            raise
        except Exception:
            for line in traceback.format_exc().splitlines():
                err_console.print(plain(line), soft_wrap=True)
            print_error(ISSUES_HINT, label="internal error")
            raise typer.Exit(EXIT_BUG) from None
        raise typer.Exit(EXIT_PROBLEM)


app = typer.Typer(
    name="fp-timeline",
    help="A video editor whose timeline is an OTIO project and whose clips are generated (FramePack F1).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=SafeGroup,
)

ProjectArg = Annotated[Path, typer.Argument(help="The project file (.otio).")]


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print_error(problem)


@contextlib.contextmanager
def reporting_errors() -> Iterator[None]:
    """Turn project errors into a readable list on stderr and exit status 2; no tracebacks."""
    try:
        yield
    except ProjectError as err:
        _print_problems(err.problems)
        raise typer.Exit(EXIT_PROBLEM) from None


def open_project(path: Path) -> Project:
    with reporting_errors():
        return load_project(path)


@contextlib.contextmanager
def editing(path: Path, command: str) -> Iterator[None]:
    """Hold the project's writer lock for a read-change-save (refused, naming the holder, if taken)."""
    with reporting_errors(), project_lock(path, command=f"fp-timeline {command}"):
        yield


def require_valid(project: Project) -> None:
    """Raise a ``ProjectError`` listing every problem ``validate_project`` finds, if any."""
    problems = validate_project(project)
    if problems:
        raise ProjectError(problems)
