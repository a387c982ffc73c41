"""``set``: edit one clip's recipe from the command line (prompt, seed, settings, length, context, image).

Every change goes through the same checks as a project file: the recipe parser, then the clip's
generator (a length it cannot make is snapped to the nearest one it can, and said so).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from fp_timeline.cli.app import ProjectArg, app, console, editing, open_project, plain, require_valid
from fp_timeline.engine import registry
from fp_timeline.engine.variations import new_seeds
from fp_timeline.project.document import Project, save_project
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.recipe import ContextMode, Recipe
from fp_timeline.project.text import check_user_text


@app.command("set")
def set_recipe(
    project: ProjectArg,
    clip: Annotated[str, typer.Option("--clip", "-c", help="The clip whose recipe to change.")],
    prompt: Annotated[str | None, typer.Option("--prompt", "-p", help="A new prompt.")] = None,
    seed: Annotated[int | None, typer.Option(help="A new seed, 0..2^32-1.")] = None,
    new_seed: Annotated[bool, typer.Option("--new-seed", help="A random seed the clip has not used.")] = False,
    param: Annotated[
        list[str] | None, typer.Option("--param", help="A generator setting, KEY=VALUE (JSON value), repeatable.")
    ] = None,
    frames: Annotated[int | None, typer.Option(help="Length in frames, snapped to what the generator makes.")] = None,
    seconds: Annotated[float | None, typer.Option("--seconds", "-s", help="Length in seconds, snapped.")] = None,
    context: Annotated[str | None, typer.Option(help="fresh (own start image) or carry.")] = None,
    image: Annotated[Path | None, typer.Option("--image", "-i", help="A new start image.")] = None,
) -> None:
    """Change a clip's recipe; it shows as stale until rendered again (its old takes are kept)."""
    with editing(project, "set"):
        loaded = open_project(project)
        before = loaded.recipe(loaded.clip(clip))
        changes = _changes(loaded, clip, before, prompt, seed, new_seed, param, frames, seconds, context, image)
        recipe = _checked(loaded, clip, before, changes)
        loaded.set_recipe(loaded.clip(clip), recipe)
        require_valid(loaded)
        save_project(loaded)
    changed = [k for k, v in recipe.to_metadata().items() if before.to_metadata().get(k) != v]
    summary = ", ".join(f"{k} {getattr(recipe, k).value if k == 'context' else getattr(recipe, k)!r}" for k in changed)
    console.print(plain(f"{clip}: " + (summary or "nothing changed")))
    if "frames" in changes and changes["frames"] != recipe.frames:
        console.print(plain(f"{changes['frames']} frames snapped to {recipe.frames} (whole sections)"))


def _changes(
    project: Project,
    clip: str,
    recipe: Recipe,
    prompt: str | None,
    seed: int | None,
    new_seed: bool,
    params: list[str] | None,
    frames: int | None,
    seconds: float | None,
    context: str | None,
    image: Path | None,
) -> dict[str, Any]:
    """The recipe fields the options ask for (validated together afterwards)."""
    if seed is not None and new_seed:
        raise ProjectError(Problem("give --seed or --new-seed, not both", clip=clip, field="seed"))
    if frames is not None and seconds is not None:
        raise ProjectError(Problem("give --frames or --seconds, not both", clip=clip, field="frames"))
    changes: dict[str, Any] = {}
    if prompt is not None:
        changes["prompt"] = check_user_text(prompt, "prompt", clip=clip)
    if seed is not None or new_seed:
        changes["seed"] = seed if seed is not None else new_seeds(1, avoid={recipe.seed})[0]
    if params:
        changes["params"] = dict(recipe.params) | dict(_param(text, clip) for text in params)
    if seconds is not None:
        frames = max(1, round(seconds * recipe.fps))
    if frames is not None:
        changes["frames"] = frames
    if context is not None:
        changes["context"] = context
        if context == ContextMode.FRESH.value and recipe.image is None and image is None:
            raise ProjectError(Problem("a fresh clip needs a start image: add --image", clip=clip, field="image"))
    if image is not None:
        if not image.is_file():
            raise ProjectError(Problem(f"start image not found: {image}", clip=clip, field="image"))
        changes["image"] = project.relative(image)
    return changes


def _param(text: str, clip: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ProjectError(Problem(f"--param must look like KEY=VALUE, got {text!r}", clip=clip, field="params"))
    try:
        return key.strip(), json.loads(value)
    except json.JSONDecodeError:
        return key.strip(), value  # a bare word: a string setting (e.g. sampler=euler)


def _checked(project: Project, clip: str, recipe: Recipe, changes: dict[str, Any]) -> Recipe:
    """The changed recipe through the parser (every bad field at once), its length snapped, then the generator."""
    data = recipe.to_metadata() | {k: v.value if hasattr(v, "value") else v for k, v in changes.items()}
    changed = Recipe.from_metadata(data, clip=clip)
    try:
        generator = registry.load_generator(changed.generator)
    except ProjectError as err:
        problems = [Problem(p.message, file=project.path, clip=clip, field=p.field) for p in err.problems]
        raise ProjectError(problems) from None
    snapped = generator.snap_frames(changed.frames, carried=changed.carries, recipe=changed)
    changed = changed.replace(frames=snapped)
    problems = generator.validate(changed)
    if problems:
        raise ProjectError([Problem(p.message, file=project.path, clip=clip, field=p.field) for p in problems])
    return changed
