"""The shape every later check relies on, checked first when a project loads.

A hand-edited or damaged file can put anything anywhere: a list where a recipe's mapping belongs, a
string for a take's frame count, a target URL that is a number.  These checks run before any other so
that the rest of the code may assume the shape, and the user gets one clear error naming the place.
"""

from __future__ import annotations

import math

import opentimelineio as otio

from fp_timeline.project.errors import Problem
from fp_timeline.project.numbers import is_number
from fp_timeline.project.recipe import METADATA_KEY

TAKE_PREFIX = "take_"


def shape_problems(timeline: otio.schema.Timeline) -> list[Problem]:
    problems = []
    if METADATA_KEY in timeline.metadata and not hasattr(timeline.metadata[METADATA_KEY], "get"):
        problems.append(Problem("the timeline's fp_timeline metadata must be a mapping", field="metadata"))
    if timeline.tracks is None:  # "tracks": null reads as a Timeline without its stack
        return [*problems, Problem("the timeline has no tracks (its stack is null)", field="tracks")]
    for track in timeline.tracks:
        if not isinstance(track, otio.schema.Track):
            continue
        for item in track:
            if isinstance(item, otio.schema.Clip):
                problems += _clip_problems(item)
    return problems


def _clip_problems(clip: otio.schema.Clip) -> list[Problem]:
    name = clip.name if isinstance(clip.name, str) else repr(clip.name)
    problems = []
    if METADATA_KEY in clip.metadata and not hasattr(clip.metadata[METADATA_KEY], "get"):
        problems.append(Problem("the recipe must be a mapping", clip=name, field="metadata"))
    for key, ref in clip.media_references().items():
        if not str(key).startswith(TAKE_PREFIX) or not isinstance(ref, otio.schema.ExternalReference):
            continue
        meta = ref.metadata.get(METADATA_KEY, {})
        where = f"takes.{key}"
        if not hasattr(meta, "get"):
            problems.append(Problem("a take's fp_timeline metadata must be a mapping", clip=name, field=where))
            continue
        frames = meta.get("frames", 0)
        if not is_number(frames) or not math.isfinite(frames):
            problems.append(Problem(f"a take's frame count must be a number, got {frames!r}", clip=name, field=where))
        rng = ref.available_range
        if rng is not None and not (math.isfinite(rng.duration.rate) and rng.duration.rate > 0):
            problems.append(Problem("a take's rate must be a positive number", clip=name, field=where))
        for field in ("context", "recipe_hash"):
            value = meta.get(field)
            if value is not None and not isinstance(value, str):
                problems.append(Problem(f"a take's {field} must be text, got {value!r}", clip=name, field=where))
    return problems
