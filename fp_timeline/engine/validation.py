"""Whole-project validation: structure, recipes, each generator's own checks, effect settings."""

from __future__ import annotations

import opentimelineio as otio

from fp_timeline.engine import registry
from fp_timeline.engine.generator import VideoContextEncoder
from fp_timeline.project.document import Project, structural_problems
from fp_timeline.project.effects import effect_problems
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.recipe import METADATA_KEY, Recipe


def recipe_problems(recipe: Recipe) -> list[Problem]:
    """What the recipe's generator objects to: unknown generator, its own checks, a length it cannot make."""
    try:
        generator = registry.load_generator(recipe.generator)
    except ProjectError as err:
        return list(err.problems)
    problems = list(generator.validate(recipe))
    snapped = generator.snap_frames(recipe.frames, carried=recipe.carries, recipe=recipe)
    if snapped != recipe.frames and not any(p.field == "frames" for p in problems):
        problems.append(
            Problem(
                f"{recipe.frames} frames is not a length {recipe.generator} can make; nearest is {snapped}",
                field="frames",
            )
        )
    return problems


def validate_project(project: Project) -> list[Problem]:
    """Every problem found, each naming the file, the clip and the field."""
    problems = structural_problems(project)
    bad_clips = {p.clip for p in problems}
    for clip in project.generated_clips():
        if clip.name in bad_clips:
            continue
        problems.extend(_locate(p, project, clip.name) for p in recipe_problems(project.recipe(clip)))
    # Post-processing settings (a hand-edited file): reported here, so ``fx --remove`` can still fix them.
    problems.extend(_locate(p, project, p.clip) for p in effect_problems(project.timeline))
    return problems + carry_problems(project, bad_clips)


def carry_problems(project: Project, skip: set[str | None] = frozenset()) -> list[Problem]:
    """Carried clips whose generator cannot continue what comes before them: a clip another generator
    made (or an imported video) is continued from its frames, which needs a ``VideoContextEncoder``."""
    problems = []
    for track in project.tracks():
        previous: otio.schema.Clip | None = None
        for item in track:
            if not isinstance(item, otio.schema.Clip):
                continue
            if METADATA_KEY in item.metadata and item.name not in skip and previous is not None:
                recipe = project.recipe(item)
                if recipe.carries:
                    problems.extend(_carry_problem(project, item.name, recipe, previous))
            previous = item
    return problems


def _carry_problem(project: Project, name: str, recipe: Recipe, upstream: otio.schema.Clip) -> list[Problem]:
    made_here = METADATA_KEY in upstream.metadata
    upstream_generator = project.recipe(upstream).generator if made_here else None
    if upstream_generator == recipe.generator:
        return []
    try:
        generator = registry.load_generator(recipe.generator)
    except ProjectError:
        return []  # reported with the recipe already
    if isinstance(generator, VideoContextEncoder):
        return []
    what = f"made by {upstream_generator}" if made_here else "an imported video"
    message = (
        f"carries from {upstream.name!r} ({what}), but {recipe.generator} can only continue its own clips; "
        f"make it fresh or use the same generator"
    )
    return [Problem(message, file=project.path, clip=name, field="context")]


def _locate(problem: Problem, project: Project, clip: str) -> Problem:
    return Problem(problem.message, file=project.path, clip=problem.clip or clip, field=problem.field)
