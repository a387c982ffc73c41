"""Extend a shot: insert a clip right after it that carries its packed context forward.

The new clip is an ordinary ``carry`` clip (same size, rate, generator and settings as the one it
continues, no start image of its own), so rendering it is ordinary planning: ``plan_render(project,
[new.name])`` renders the upstream first when it has no take for its current recipe.  A clip that
already carried from the extended one now carries from the new clip, so it shows as stale.
"""

from __future__ import annotations

import opentimelineio as otio

from fp_timeline.engine import registry
from fp_timeline.project.document import Project
from fp_timeline.project.edits import add_clip
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.recipe import METADATA_KEY, SEED_MAX, ContextMode, NoiseMode


def add_extension(
    project: Project,
    clip_name: str,
    *,
    seconds: float,
    prompt: str,
    seed: int | None = None,
    name: str | None = None,
    continue_noise: bool = False,
) -> otio.schema.Clip:
    """Insert the extension clip after ``clip_name`` (not rendered, not saved) and return it."""
    anchor = _find(project, clip_name)
    if METADATA_KEY not in anchor.metadata:
        raise ProjectError(
            Problem(
                "extending a clip that was not generated here (an imported video) needs the project to "
                "treat plain clips as carry upstreams; not supported yet",
                file=project.path,
                clip=clip_name,
            )
        )
    if seconds <= 0:
        raise ProjectError(Problem(f"seconds must be positive, got {seconds:g}", file=project.path, field="seconds"))
    base = project.recipe(anchor)
    generator = registry.load_generator(base.generator)
    frames = generator.snap_frames(max(1, round(seconds * base.fps)), carried=True)
    recipe = base.replace(
        prompt=prompt,
        seed=(base.seed + 1) % (SEED_MAX + 1) if seed is None else seed,
        frames=frames,
        image=None,  # keep the upstream anchor: the shot goes on
        context=ContextMode.CARRY,
        noise=NoiseMode.CONTINUE if continue_noise else NoiseMode.OWN,
    )
    problems = generator.validate(recipe)
    if problems:
        raise ProjectError(problems)
    return add_clip(project, recipe, name=name, after=clip_name)


def _find(project: Project, name: str) -> otio.schema.Clip:
    for track in project.tracks():
        for item in track:
            if isinstance(item, otio.schema.Clip) and item.name == name:
                return item
    return project.clip(name)  # raises, listing the generated clips
