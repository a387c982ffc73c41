"""``new``, ``add``, ``info``, ``validate``: create and inspect projects."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from fp_timeline.cli.app import (
    ProjectArg,
    app,
    console,
    editing,
    open_project,
    plain,
    reporting_errors,
    require_valid,
)
from fp_timeline.cli.options import DeviceOpt, PresetOpt, runtime_options
from fp_timeline.cli.settings_args import parse_params
from fp_timeline.cli.tables import print_table
from fp_timeline.engine.clip_recipes import new_clip_recipe
from fp_timeline.engine.registry import generator_ids
from fp_timeline.engine.status import project_status, stale_reasons
from fp_timeline.engine.validation import recipe_problems
from fp_timeline.project.document import new_project, save_project
from fp_timeline.project.edits import add_clip
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.recipe import DEFAULT_GENERATOR, MAX_CLIP_SECONDS, NoiseMode, Recipe
from fp_timeline.project.text import check_clip_name, check_user_text, undecodable


@app.command()
def new(
    project: ProjectArg,
    rate: Annotated[float, typer.Option(help="Timeline rate in frames per second.")] = 30.0,
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Create an empty project with one video track."""
    with editing(project, "new"):
        _check_path(project, "project")
        if project.exists() and not force:
            raise ProjectError(Problem("file exists already (use --force to replace it)", file=project))
        created = new_project(project, rate=rate)
        save_project(created)
    console.print(plain("created ", (str(created.path), "bold"), f" ({rate:g} fps)"))


@app.command()
def add(
    project: ProjectArg,
    prompt: Annotated[str, typer.Option("--prompt", "-p", help="What moves: 'the girl dances gracefully'.")],
    image: Annotated[
        Path | None, typer.Option("--image", "-i", help="Start image (a carried clip may omit it).")
    ] = None,
    seconds: Annotated[float, typer.Option("--seconds", "-s", help="Duration, snapped to whole sections.")] = 2.0,
    seed: Annotated[int | None, typer.Option(help="Seed 0..2^32-1 (random if omitted).")] = None,
    after: Annotated[str | None, typer.Option(help="Insert after this clip (default: end of track).")] = None,
    carry: Annotated[
        bool, typer.Option("--carry/--fresh", help="Continue the previous clip's packed context.")
    ] = False,
    continue_noise: Annotated[
        bool, typer.Option("--continue-noise", help="A carried clip continues the upstream noise stream.")
    ] = False,
    name: Annotated[str | None, typer.Option(help="Clip name (default shot_010, shot_020, ...).")] = None,
    size: Annotated[
        str | None, typer.Option(help="WIDTHxHEIGHT, multiples of 16 (default: the previous clip's, or 640x640).")
    ] = None,
    generator: Annotated[str, typer.Option(help="Generator id (see `fp-timeline generators`).")] = DEFAULT_GENERATOR,
    track: Annotated[str | None, typer.Option(help="Video track name (default: the first).")] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="Generator setting NAME=VALUE (repeatable; `fp-timeline generators` lists them)."),
    ] = None,
) -> None:
    """Add a generated clip to the timeline."""
    with editing(project, "add"):
        loaded = open_project(project)
        _check_add_input(prompt, name, image, seconds)
        clips = list(loaded.generated_clips())
        recipe = new_clip_recipe(
            loaded,
            prompt=prompt,
            seconds=seconds,
            generator=generator,
            like=loaded.recipe(clips[-1]) if clips else None,
            image=image,
            size=_size(size),
            seed=seed,
            carry=carry,
            continue_noise=continue_noise,
            params=parse_params(generator, param or [], loaded),
            clip=name,
        )
        if image is not None and not image.is_file():
            raise ProjectError(Problem(f"start image not found: {image}", clip=name, field="image"))
        problems = recipe_problems(recipe)
        if problems:
            raise ProjectError(problems)
        clip = add_clip(loaded, recipe, name=name, after=after, track=track)
        require_valid(loaded)
        save_project(loaded)
    _say_added(clip.name, recipe)


def _say_added(name: str, recipe: Recipe) -> None:
    seconds = recipe.frames / recipe.fps
    details = f": {recipe.frames} frames ({seconds:.2f} s), seed {recipe.seed}, {recipe.context.value}"
    console.print(plain("added ", (name, "bold"), details))


@app.command()
def info(project: ProjectArg, preset: PresetOpt = "auto", device: DeviceOpt = None) -> None:
    """Show tracks and clips with their state (unrendered, stale or rendered) and the model of each take."""
    options = runtime_options(preset, device)
    loaded = open_project(project)
    with reporting_errors():
        rows = project_status(loaded, options)
    table = Table(title=plain(f"{loaded.timeline.name}  ({loaded.rate:g} fps)"), caption=plain(str(loaded.path)))
    several_tracks = len({row.track for row in rows}) > 1
    if several_tracks:
        table.add_column("track", overflow="fold")
    table.add_column("clip", overflow="fold", min_width=min(16, max((len(r.clip) for r in rows), default=4)))
    table.add_column("state", overflow="fold", min_width=10)
    for column in ("length", "context", "seed", "generator", "take", "made by"):
        table.add_column(column, overflow="fold")
    table.add_column("prompt", overflow="fold", min_width=16)
    colours = {"rendered": "green", "stale": "yellow", "unrendered": "dim", "take missing": "red"}
    for row in rows:
        state = "take missing" if row.take_missing else row.state.value
        table.add_row(
            *([plain(row.track)] if several_tracks else []),
            plain(row.clip),
            plain((state, colours.get(state, "red"))),
            f"{row.recipe.frames / row.recipe.fps:.2f}s",
            row.recipe.context.value + ("+noise" if row.recipe.noise is NoiseMode.CONTINUE else ""),
            str(row.recipe.seed),
            plain(row.recipe.generator),
            plain(row.take or "-"),
            plain(row.take_model.removeprefix("the ") or "-"),
            plain(row.recipe.prompt),
        )
    print_table(table)
    counts = {state: sum(r.state.value == state for r in rows) for state in ("rendered", "stale", "unrendered")}
    missing = sum(r.take_missing for r in rows)
    summary = ", ".join(f"{n} {state}" for state, n in counts.items())
    console.print(summary + (f" ({missing} with the take file missing: render makes them anew)" if missing else ""))
    for reason in stale_reasons(loaded, options):
        console.print(f"  {reason}", soft_wrap=True)


@app.command()
def validate(project: ProjectArg) -> None:
    """Check every clip's recipe, start image and generator settings."""
    loaded = open_project(project)
    with reporting_errors():
        require_valid(loaded)
    clips = sum(1 for _ in loaded.generated_clips())
    generators = ", ".join(generator_ids())
    console.print(plain(("ok", "green"), f": {loaded.path.name}: {clips} clips, generators: {generators}"))


def _size(size: str | None) -> tuple[int, int] | None:
    """--size as (width, height); None leaves it to ``new_clip_recipe`` (the generator's pick for the
    image, else the previous clip's size, else 640x640)."""
    if size is None:
        return None
    parts = size.lower().split("x")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() and len(p) <= 5 for p in parts):
        raise ProjectError(Problem(f"size must look like 640x480, got {size!r}", field="size"))
    return int(parts[0]), int(parts[1])


def _check_add_input(prompt: str, name: str | None, image: Path | None, seconds: float) -> None:
    """What ``add`` is given, before anything is built from it: text, clip name, image path, length."""
    check_user_text(prompt, "prompt", clip=name)
    if name is not None:
        check_clip_name(name)
    if image is not None:
        _check_path(image, "image")
    if not math.isfinite(seconds) or not 0 < seconds <= MAX_CLIP_SECONDS:
        raise ProjectError(
            Problem(f"--seconds must be more than 0 and at most {MAX_CLIP_SECONDS}, got {seconds}", field="seconds")
        )


def _check_path(path: Path, field: str) -> None:
    """A path the project will store or create must be text we can write back: valid UTF-8."""
    if undecodable(str(path)):
        raise ProjectError(Problem(f"the {field} path is not valid UTF-8: {str(path)!r}", field=field))
