"""``doctor``: how each installed generator would use this machine (memory plan, device, threads), and why.

Generator-agnostic: a generator that implements ``explain(options)`` reports its own lines; the CLI only
prints them.  ``render --explain`` prints the same for the generators a render uses.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from fp_timeline.cli.app import app, console, err_console
from fp_timeline.engine.generator import ExplainsResources
from fp_timeline.engine.registry import generator_ids, load_generator
from fp_timeline.project.errors import ProjectError

OffloadOpt = Annotated[
    str | None,
    typer.Option(help="Memory plan for generators that offload: auto (default), gpu, group, disk or mmap."),
]
ThreadsOpt = Annotated[int | None, typer.Option(help="CPU threads (default: the cores not already busy).")]


def runtime_options(
    preset: str, device: str | None, offload: str | None = None, threads: int | None = None
) -> dict[str, Any]:
    """The runtime options a command passes to generators (only those given)."""
    given = {"device": device, "offload": offload, "threads": threads}
    return {"preset": preset} | {key: value for key, value in given.items() if value is not None}


def explain_generators(ids: list[str], options: dict[str, Any]) -> None:
    """Print each generator's own account of how it would run with ``options``."""
    for generator_id in ids:
        try:
            generator = load_generator(generator_id)
        except ProjectError as err:
            err_console.print(f"[yellow]{generator_id}[/]: {err}")
            continue
        if not isinstance(generator, ExplainsResources):
            console.print(f"[bold]{generator_id}[/]: no heavy models (nothing to plan)")
            continue
        try:
            text = generator.explain(options)
        except (ValueError, RuntimeError, OSError) as err:
            err_console.print(f"[red]error:[/red] {generator_id}: {err}")
            continue
        console.print(f"[bold]{generator_id}[/]")
        for line in text.splitlines():
            console.print(f"  {line}", markup=False, soft_wrap=True)


@app.command()
def doctor(
    preset: Annotated[str, typer.Option(help="Model weights: auto, toy, tiny or real.")] = "auto",
    device: Annotated[str | None, typer.Option(help="Torch device, e.g. cpu, cuda.")] = None,
    offload: OffloadOpt = None,
    threads: ThreadsOpt = None,
) -> None:
    """Show how each generator would use this machine: memory plan, device, threads, and why."""
    explain_generators(generator_ids(), runtime_options(preset, device, offload, threads))
