"""Bridge a cut or a gap between two clips: insert a generated clip that starts on the last frame of the
clip before and ends on the first frame of the clip after.

The generator is whichever installed one declares both neighbour dependencies (protocol v2
``Dependency.PREVIOUS_LAST_FRAME`` and ``NEXT_FIRST_FRAME``) for a carried clip with no start image: the
engine knows no generator by name.  The new clip is an ordinary clip: planning renders both neighbours
before it, and it goes stale when either changes (``project.hashing``).
"""

from __future__ import annotations

import opentimelineio as otio

from fp_timeline.engine import capabilities, registry
from fp_timeline.engine.clip_recipes import new_clip_recipe
from fp_timeline.engine.generator import Dependency
from fp_timeline.engine.imported import last_frames
from fp_timeline.engine.validation import recipe_problems
from fp_timeline.project.document import Project
from fp_timeline.project.edits import make_unique_clip, name_after
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.recipe import METADATA_KEY, ContextMode, Recipe
from fp_timeline.project.timeline_edits import Replacement, apply

BOTH = frozenset({Dependency.PREVIOUS_LAST_FRAME, Dependency.NEXT_FIRST_FRAME})
DEFAULT_SECONDS = 1.2  # at a cut: about one FramePack section
DEFAULT_PROMPT = "a smooth continuous transition between the two shots"


def bridging_generators() -> list[str]:
    """Installed generators that take a carried clip without images from both neighbours' frames."""
    found = []
    for generator_id in registry.generator_ids():
        try:
            generator = registry.load_generator(generator_id)
        except (ProjectError, TypeError):
            continue  # a broken plugin is reported where it is used
        probe = Recipe("", 0, 1, generator=generator_id, context=ContextMode.CARRY)
        if capabilities.dependencies(generator, probe) >= BOTH:
            found.append(generator_id)
    return found


def bridging_generator(project: Project) -> str:
    """The first bridging generator, or a ``ProjectError`` saying none is installed."""
    found = bridging_generators()
    if not found:
        message = "no installed generator can bridge a cut (one that lands on both neighbours' frames)"
        raise ProjectError(Problem(message, file=project.path, field="generator"))
    return found[0]


def bridge_edit(
    project: Project,
    before: str,
    after: str,
    *,
    seconds: float | None = None,
    prompt: str | None = None,
    seed: int | None = None,
    name: str | None = None,
    generator: str | None = None,
    params: dict | None = None,
) -> Replacement:
    """The bridge clip between ``before`` and ``after`` (neighbours on one track, only gaps between them)
    as one undoable replacement: the gaps go, the bridge (the gap's length, else ``DEFAULT_SECONDS``, snapped
    to what the generator makes) comes in.  ``params``: the generator's settings (default: AFTER's when it
    uses the same generator).  Not rendered; the project is not touched."""
    track, first, last = _cut(project, before, after)
    children = list(project.tracks()[track])
    gap_seconds = sum(item.duration().to_seconds() for item in children[first + 1 : last])
    chosen = generator or bridging_generator(project)
    like = _like(project, children[first], children[last])
    recipe = new_clip_recipe(
        project,
        prompt=prompt or (like.prompt if like.prompt else DEFAULT_PROMPT),
        seconds=seconds or gap_seconds or DEFAULT_SECONDS,
        generator=chosen,
        like=like,
        size=(like.width, like.height),
        seed=seed if seed is not None else like.seed,
        carry=True,
        params=params,  # no start image: it starts on the previous clip's last frame
        clip=name,
    )
    problems = [Problem(p.message, file=project.path, clip=name, field=p.field) for p in recipe_problems(recipe)]
    if problems:
        raise ProjectError(problems)
    clip = make_unique_clip(project, recipe, name or name_after(project, before))
    return Replacement(track, first + 1, last - first - 1, [clip], f"Bridge {before} to {after}", select=clip.name)


def add_bridge(project: Project, before: str, after: str, **options) -> otio.schema.Clip:
    """``bridge_edit`` done in place (the CLI's ``bridge``); returns the new clip."""
    replacement = bridge_edit(project, before, after, **options)
    apply(project, replacement)
    return replacement.items[0]


def cut_to_bridge(project: Project, selection: list[str]) -> tuple[str, str] | None:
    """Which cut a selection means: one clip and the clip after it on its track (across a gap), or two
    clips in timeline order; None when there is no such pair."""
    for track in project.tracks():
        names = [item.name for item in track if isinstance(item, otio.schema.Clip)]
        if len(selection) == 1 and selection[0] in names[:-1]:
            return selection[0], names[names.index(selection[0]) + 1]
        if len(selection) == 2 and all(name in names for name in selection):
            first, second = sorted(selection, key=names.index)
            return first, second
    return None


def _cut(project: Project, before: str, after: str) -> tuple[int, int, int]:
    """(track index, index of ``before``, index of ``after``) when only gaps lie between them."""
    for t, track in enumerate(project.tracks()):
        names = [item.name if isinstance(item, otio.schema.Clip) else None for item in track]
        if before in names and after in names:
            first, last = names.index(before), names.index(after)
            between = list(track)[first + 1 : last]
            if first < last and all(isinstance(item, otio.schema.Gap) for item in between):
                _check_after(project, track[last], before)
                return t, first, last
    message = f"{before!r} and {after!r} are not neighbours on one track (only a gap may lie between them)"
    raise ProjectError(Problem(message, file=project.path, clip=after))


def _check_after(project: Project, clip: otio.schema.Clip, before: str) -> None:
    if METADATA_KEY in clip.metadata and project.recipe(clip).carries:
        message = f"{clip.name!r} carries on from {before!r} already (no cut to bridge); make it fresh first"
        raise ProjectError(Problem(message, file=project.path, clip=clip.name, field="context"))


def _like(project: Project, first: otio.schema.Clip, last: otio.schema.Clip) -> Recipe:
    """The recipe the bridge takes its size, prompt and seed from: the clip after it, else before it."""
    for clip in (last, first):
        if METADATA_KEY in clip.metadata:
            return project.recipe(clip)
    height, width = last_frames(project, first, count=1).shape[1:3]
    return Recipe(DEFAULT_PROMPT, 0, 1, width=max(16, width // 16 * 16), height=max(16, height // 16 * 16))
