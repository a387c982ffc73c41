"""``generators``: every installed generator with its media inputs, params and options (from its schema)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from fp_timeline.cli.app import app, console, reporting_errors
from fp_timeline.engine import capabilities
from fp_timeline.engine.generator import Dependency, Generator
from fp_timeline.engine.registry import generator_ids, load_generator
from fp_timeline.engine.schema import Setting


@app.command()
def generators(
    generator: Annotated[str | None, typer.Argument(help="Show only this generator.")] = None,
) -> None:
    """List the generators: what they read, their settings (--param) and runtime options (--set)."""
    with reporting_errors():
        for gid in [generator] if generator else generator_ids():
            gen = load_generator(gid)
            fps = capabilities.native_fps(gen)
            console.print(
                f"[bold]{gid}[/bold] (version {gen.version}): {capabilities.label(gen)}; "
                f"{f'{fps:g} fps' if fps else 'any frame rate'}"
            )
            inputs = ", ".join(f"{i.field} ({i.kind})" for i in capabilities.media_inputs(gen))
            console.print(f"  media: {inputs}")
            console.print(f"  carried clip: {_carried(gen)}")
            _table("--param (recipe)", capabilities.params_schema(gen) or ())
            _table("--set (runtime)", capabilities.options_schema(gen))


def _carried(gen: Generator) -> str:
    """What a carried clip of ``gen`` takes from its neighbours, from its declared dependencies."""
    needs = capabilities.carried_needs(gen)
    words = capabilities.describe_needs(needs) or "takes nothing from its neighbours"
    contexts = capabilities.accepts_contexts(gen)
    if Dependency.PREVIOUS_CONTEXT in needs and contexts:
        words += f" (continues: {', '.join(contexts)})"
    return words


def _table(title: str, schema: tuple[Setting, ...] | list[Setting]) -> None:
    if not schema:
        return
    table = Table(title=title, title_justify="left")
    table.add_column("name", no_wrap=True, min_width=max(len(s.name) for s in schema))
    for column in ("type", "range", "default", "help"):
        table.add_column(column)
    for s in schema:
        table.add_row(s.name, s.kind, s.describe_range(), repr(s.default), s.help)
    console.print(table)
