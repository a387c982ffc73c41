"""Extend a shot: insert a clip right after it that carries its packed context forward.

The new clip is an ordinary ``carry`` clip (same size, rate, generator and settings as the one it
continues, no start image of its own), so rendering it is ordinary planning: ``plan_render(project,
[new.name])`` renders the upstream first when it has no take for its current recipe.  A clip that
already carried from the extended one now carries from the new clip, so it shows as stale.
Extending an imported video (a plain OTIO clip, not made here) works the same way: the renderer
encodes its last frames into the incoming context (``imported.py``).
"""

from __future__ import annotations

import copy

import opentimelineio as otio

from fp_timeline.engine import registry
from fp_timeline.engine.clip_recipes import new_clip_recipe
from fp_timeline.engine.imported import last_frames
from fp_timeline.engine.planner import find_clip
from fp_timeline.project.document import Project
from fp_timeline.project.edits import insert_after, make_unique_clip, name_after
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.recipe import METADATA_KEY, SEED_MAX, ContextMode, Recipe
from fp_timeline.project.timeline_edits import Replacement, insert, locate


def add_extension(
    project: Project,
    clip_name: str,
    *,
    seconds: float,
    prompt: str,
    seed: int | None = None,
    name: str | None = None,
    continue_noise: bool = False,
    generator: str | None = None,
) -> otio.schema.Clip:
    """Insert the extension clip after ``clip_name`` (not rendered, not saved) and return it.

    ``clip_name`` may be an imported video (a plain OTIO clip): the new clip then continues its last
    frames, with the size of the video (rounded down to multiples of 16) at the generator's rate (else
    the timeline's), and ``generator`` (default: framepack_f1) must be able to encode a video into a
    context.  The recipe is made as every new clip's is (``clip_recipes.new_clip_recipe``).
    """
    anchor = find_clip(project, clip_name)
    if seconds <= 0:
        raise ProjectError(Problem(f"seconds must be positive, got {seconds:g}", file=project.path, field="seconds"))
    base = project.recipe(anchor) if METADATA_KEY in anchor.metadata else _imported_base(project, anchor)
    recipe = new_clip_recipe(
        project,
        prompt=prompt,
        seconds=seconds,
        generator=generator or base.generator,
        like=base,  # same size, rate and settings: the shot goes on (no start image: the upstream anchors it)
        size=(base.width, base.height),
        seed=(base.seed + 1) % (SEED_MAX + 1) if seed is None else seed,
        carry=True,
        continue_noise=continue_noise,
        clip=name,
    )
    gen = registry.load_generator(recipe.generator)
    problems = gen.validate(recipe)
    if problems:
        raise ProjectError([Problem(p.message, file=project.path, clip=name, field=p.field) for p in problems])
    clip = make_unique_clip(project, recipe, name or name_after(project, anchor.name))
    insert_after(anchor, clip)  # not add_clip(after=): that finds generated anchors only; this may be imported
    return clip


def extension_edit(project: Project, name: str, prompt: str, seconds: float = 2.0) -> Replacement:
    """``add_extension`` as one undoable insertion (the window's Extend): it runs on a copy of the
    project, and the new clip comes back as a ``Replacement`` right after ``name``."""
    t, i, _ = locate(project, name)
    scratch = Project(path=project.path, timeline=copy.deepcopy(project.timeline))
    made = add_extension(scratch, name, seconds=seconds, prompt=prompt, name=name_after(project, name))
    return insert(project, t, i + 1, copy.deepcopy(made), f"Extend {name}")


def _imported_base(project: Project, clip: otio.schema.Clip) -> Recipe:
    frames = last_frames(project, clip, count=1)
    height, width = frames.shape[1:3]
    return Recipe(
        prompt="(continues an imported video)",
        seed=0,
        frames=1,
        width=max(16, width // 16 * 16),
        height=max(16, height // 16 * 16),
        fps=project.rate,
        context=ContextMode.CARRY,
    )
