"""Whole-project validation: structure, recipes, each generator's own checks, effect settings."""

from __future__ import annotations

from fp_timeline.engine.registry import load_generator
from fp_timeline.project.document import Project, structural_problems
from fp_timeline.project.effects import effect_problems
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.recipe import Recipe


def recipe_problems(recipe: Recipe) -> list[Problem]:
    """What the recipe's generator objects to: unknown generator, its own checks, a length it cannot make."""
    try:
        generator = load_generator(recipe.generator)
    except ProjectError as err:
        return list(err.problems)
    problems = list(generator.validate(recipe))
    snapped = generator.snap_frames(recipe.frames, carried=recipe.carries)
    if snapped != recipe.frames:
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
    return problems


def _locate(problem: Problem, project: Project, clip: str) -> Problem:
    return Problem(problem.message, file=project.path, clip=problem.clip or clip, field=problem.field)
