"""``doctor``: how each installed generator would use this machine (memory plan, device, threads), and why.

Generator-agnostic: a generator that implements ``explain(options)`` reports its own lines; the CLI only
prints them.  ``render --explain`` prints the same for the generators a render uses.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from fp_timeline.cli.app import app, console, err_console, plain, print_error, reporting_errors
from fp_timeline.cli.options import runtime_options
from fp_timeline.cli.settings_args import parse_options
from fp_timeline.engine.generator import ExplainsResources
from fp_timeline.engine.registry import generator_ids, load_generator
from fp_timeline.project.errors import ProjectError

OffloadOpt = Annotated[
    str | None,
    typer.Option(help="Memory plan for generators that offload: auto (default), gpu, group, disk or mmap."),
]
ThreadsOpt = Annotated[int | None, typer.Option(help="CPU threads (default: the cores less one, at most 16).")]


def explain_generators(ids: list[str], options: dict[str, Any]) -> None:
    """Print each generator's own account of how it would run with ``options``."""
    for generator_id in ids:
        try:
            generator = load_generator(generator_id)
        except ProjectError as err:
            err_console.print(plain((generator_id, "yellow"), f": {err}"))
            continue
        if not isinstance(generator, ExplainsResources):
            console.print(plain((generator_id, "bold"), ": no heavy models (nothing to plan)"))
            continue
        try:
            text = generator.explain(options)
        except (ValueError, RuntimeError, OSError) as err:
            print_error(f"{generator_id}: {err}")
            continue
        console.print(plain((generator_id, "bold")))
        for line in text.splitlines():
            console.print(f"  {line}", markup=False, soft_wrap=True)


@app.command()
def doctor(
    preset: Annotated[str, typer.Option(help="Model weights: auto, toy, tiny or real.")] = "auto",
    device: Annotated[str | None, typer.Option(help="Torch device, e.g. cpu, cuda.")] = None,
    offload: OffloadOpt = None,
    threads: ThreadsOpt = None,
    set_option: Annotated[
        list[str] | None,
        typer.Option("--set", help="Runtime option NAME=VALUE (e.g. attention=flash); as for render."),
    ] = None,
) -> None:
    """Show how each generator would use this machine: memory plan, device, threads, and why."""
    options = runtime_options(preset, device, offload, threads)
    with reporting_errors():
        options |= parse_options(generator_ids(), set_option or [])
    explain_generators(generator_ids(), options)
