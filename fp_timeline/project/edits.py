"""Edits that build a project from recipes: add a generated clip, name it, place it.

Like OTIO's algorithms these are plain functions over the timeline; the UI wraps them in undoable
commands.
"""

from __future__ import annotations

import opentimelineio as otio

from fp_timeline.project.document import Project, generator_reference
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.recipe import METADATA_KEY, Recipe
from fp_timeline.project.takes import GENERATOR_KEY
from fp_timeline.project.text import clip_name_problems

NAME_STEP = 10  # shot_010, shot_020, ...: room to insert shot_015 later, as editors number shots


def next_clip_name(project: Project, prefix: str = "shot") -> str:
    taken = {clip.name for clip in project.generated_clips()}
    number = NAME_STEP
    while f"{prefix}_{number:03d}" in taken:
        number += NAME_STEP
    return f"{prefix}_{number:03d}"


def name_after(project: Project, name: str) -> str:
    """A free clip name that sorts after ``name`` and before the clip that follows it on its track, so
    names stay in timeline order: shot_010 -> shot_015 before shot_020, shot_030 -> shot_040 at the end."""
    taken = {item.name for track in project.tracks() for item in track if isinstance(item, otio.schema.Clip)}
    prefix, _, number = name.rpartition("_")
    if prefix and number.isdigit():
        width, value = len(number), int(number)
        following = _number_after(project, name, prefix)
        upper = following if following is not None else value + 2 * NAME_STEP - value % NAME_STEP
        middle = (value + upper) // 2 if following is not None else upper - NAME_STEP
        for candidate in (middle, *range(value + 1, upper)):
            text = f"{prefix}_{candidate:0{width}d}"
            if value < candidate < upper and text not in taken:
                return text
    suffix = 2
    while f"{name}_{suffix}" in taken:  # sorts right after ``name`` ("shot_010_2" < "shot_011")
        suffix += 1
    return f"{name}_{suffix}"


def _number_after(project: Project, name: str, prefix: str) -> int | None:
    """The number of the next clip after ``name`` on its track when it is named ``prefix_NNN``."""
    for track in project.tracks():
        clips = [item for item in track if isinstance(item, otio.schema.Clip)]
        names = [c.name for c in clips]
        if name in names:
            for later in names[names.index(name) + 1 :]:
                head, _, number = later.rpartition("_")
                if head == prefix and number.isdigit():
                    return int(number)
            return None
    return None


def make_clip(name: str, recipe: Recipe) -> otio.schema.Clip:
    """A new, unrendered generated clip: the recipe in metadata, a GeneratorReference as media."""
    clip = otio.schema.Clip(name=name)
    clip.metadata[METADATA_KEY] = recipe.to_metadata()
    clip.set_media_references({GENERATOR_KEY: generator_reference(recipe)}, GENERATOR_KEY)
    clip.source_range = otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, recipe.fps), otio.opentime.RationalTime(recipe.frames, recipe.fps)
    )
    return clip


def make_unique_clip(project: Project, recipe: Recipe, name: str | None = None) -> otio.schema.Clip:
    """``make_clip`` under ``name`` (default: the next free shot name); refuses a name already in use."""
    name = name or next_clip_name(project)
    problems = clip_name_problems(name)
    if problems:
        raise ProjectError([Problem(p.message, file=project.path, clip=p.clip, field=p.field) for p in problems])
    if any(c.name == name for c in project.generated_clips()):
        raise ProjectError(Problem("a clip with this name exists already", file=project.path, clip=name))
    return make_clip(name, recipe)


def insert_after(anchor: otio.schema.Clip, clip: otio.schema.Clip) -> None:
    """Place ``clip`` right after ``anchor`` on the anchor's track."""
    track = anchor.parent()
    track.insert(track.index(anchor) + 1, clip)


def add_clip(
    project: Project,
    recipe: Recipe,
    name: str | None = None,
    after: str | None = None,
    track: str | None = None,
) -> otio.schema.Clip:
    """Append a clip to a track (the first by default), or insert it right after clip ``after``."""
    clip = make_unique_clip(project, recipe, name)
    if after is not None:
        insert_after(project.clip(after), clip)
        return clip
    target = _track(project, track)
    target.append(clip)
    return clip


def _track(project: Project, name: str | None) -> otio.schema.Track:
    tracks = project.tracks()
    if name is None:
        if not tracks:
            project.timeline.tracks.append(otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video))
            tracks = project.tracks()
        return tracks[0]
    for track in tracks:
        if track.name == name:
            return track
    raise ProjectError(Problem(f"no video track named {name!r}", file=project.path, field="track"))
