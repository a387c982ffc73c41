"""Whole-project validation: structure, recipes, each generator's own checks, effect settings.

Protocol v2 checks run here, before anything renders: params against the generator's schema, every
declared media file present, and a carried clip continuing only a context its generator accepts.
"""

from __future__ import annotations

import opentimelineio as otio

from fp_timeline.engine import capabilities, registry
from fp_timeline.engine.bounds import start_image_problems, take_path_problems
from fp_timeline.engine.generator import Dependency, VideoContextEncoder
from fp_timeline.engine.schema import check_settings
from fp_timeline.project.document import Project, structural_problems
from fp_timeline.project.effects import effect_problems
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.media_fields import START_IMAGE, media_values
from fp_timeline.project.recipe import METADATA_KEY, Recipe


def recipe_problems(recipe: Recipe) -> list[Problem]:
    """What the recipe's generator objects to: unknown generator, its own checks, a length it cannot make."""
    try:
        generator = registry.load_generator(recipe.generator)
    except ProjectError as err:
        return list(err.problems)
    schema = capabilities.params_schema(generator)
    problems = [] if schema is None else check_settings(schema, recipe.params, "params", recipe.generator)
    if problems:  # the generator's own checks assume well-typed params
        return problems
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
        recipe = project.recipe(clip)
        found = recipe_problems(recipe) + media_problems(project, recipe) + start_image_problems(project, recipe)
        found += take_path_problems(project, clip)
        problems.extend(_locate(p, project, clip.name) for p in found)
    problems.extend(_locate(p, project, p.clip or "") for p in neighbour_problems(project, bad_clips))
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
                if recipe.carries and _reads_context(recipe):
                    problems.extend(_carry_problem(project, item.name, recipe, previous))
            previous = item
    return problems


def media_problems(project: Project, recipe: Recipe) -> list[Problem]:
    """Each declared media file (besides the start image, which the structure check covers) must exist."""
    try:
        generator = registry.load_generator(recipe.generator)
    except ProjectError:
        return []
    problems = []
    metadata = recipe.to_metadata()
    for media in capabilities.media_inputs(generator):
        if media.field == START_IMAGE:
            continue
        for location, stored in media_values(metadata, media.field):
            if not project.resolve(stored).is_file():
                problems.append(Problem(f"{media.kind} file not found: {project.resolve(stored)}", field=location))
    return problems


def neighbour_problems(project: Project, skip: set[str | None]) -> list[Problem]:
    """A clip that needs a neighbour's frame has that neighbour (carried contexts: ``carry_problems``)."""
    problems = []
    for track in project.tracks():
        items = list(track)
        for index, item in enumerate(items):
            if not _generated(item) or item.name in skip:
                continue
            recipe = project.recipe(item)
            try:
                generator = registry.load_generator(recipe.generator)
            except ProjectError:
                continue
            needs = capabilities.dependencies(generator, recipe)
            before = _neighbour(items, index, -1)
            after = _neighbour(items, index, +1)
            if Dependency.PREVIOUS_LAST_FRAME in needs and before is None:
                problems.append(Problem("needs a clip right before it (its last frame)", clip=item.name))
            if Dependency.NEXT_FIRST_FRAME in needs and after is None:
                problems.append(Problem("needs a clip right after it (its first frame)", clip=item.name))
            elif Dependency.NEXT_FIRST_FRAME in needs and _generated(after) and project.recipe(after).carries:
                message = f"{after.name!r} carries from it, but it ends on {after.name!r}'s first frame: make one fresh"
                problems.append(Problem(message, clip=item.name, field="context"))
    return problems


def _reads_context(recipe: Recipe) -> bool:
    """Whether a carried clip continues the previous clip's context (a bridge takes its last frame instead)."""
    try:
        generator = registry.load_generator(recipe.generator)
    except ProjectError:
        return True  # reported with the recipe already
    return Dependency.PREVIOUS_LAST_FRAME not in capabilities.dependencies(generator, recipe)


def _neighbour(items: list, index: int, step: int) -> otio.schema.Clip | None:
    """The clip before/after ``index`` on the track, across gaps (as carry chains go)."""
    other = index + step
    while 0 <= other < len(items):
        if isinstance(items[other], otio.schema.Clip):
            return items[other]
        other += step
    return None


def _generated(item: object) -> bool:
    return isinstance(item, otio.schema.Clip) and METADATA_KEY in item.metadata


def _carry_problem(project: Project, name: str, recipe: Recipe, upstream: otio.schema.Clip) -> list[Problem]:
    made_here = METADATA_KEY in upstream.metadata
    upstream_generator = project.recipe(upstream).generator if made_here else None
    try:
        generator = registry.load_generator(recipe.generator)
    except ProjectError:
        return []  # reported with the recipe already
    if upstream_generator in capabilities.accepts_contexts(generator) or upstream_generator == recipe.generator:
        return []  # its own context (or one it declares it reads)
    if isinstance(generator, VideoContextEncoder):
        return []  # continued from the upstream take's last frames
    what = f"made by {upstream_generator}" if made_here else "an imported video"
    message = (
        f"carries from {upstream.name!r} ({what}), but {recipe.generator} can only continue its own clips; "
        f"make it fresh or use the same generator"
    )
    return [Problem(message, file=project.path, clip=name, field="context")]


def _locate(problem: Problem, project: Project, clip: str) -> Problem:
    return Problem(problem.message, file=project.path, clip=problem.clip or clip, field=problem.field)
