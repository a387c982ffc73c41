"""Overwrite edits: a clip put down over others takes their time.  Clips it covers go; a clip it
covers in part is cut back by a trim (an earlier out point or a later in point; the generation and
its take stay as they are).  Dropping a clip inside another one is refused (split first)."""

from __future__ import annotations

import copy

import opentimelineio as otio

from fp_timeline.project import timeline_edits
from fp_timeline.project.document import Project
from fp_timeline.project.errors import Problem
from fp_timeline.project.recipe import METADATA_KEY
from fp_timeline.project.timeline_edits import EditRefused, Snapper
from fp_timeline.project.track_edits import Children, frames, gap, normalise


def overwrite(project: Project, children: Children, clip: otio.schema.Clip, frame: int, snap: Snapper) -> Children:
    rate = project.rate
    end = frame + frames(clip, rate)
    before: Children = []
    after: Children = []
    position = 0
    for item in children:
        start, stop = position, position + frames(item, rate)
        position = stop
        if isinstance(item, otio.schema.Transition):
            if frame < start < end:
                raise EditRefused(Problem("a transition is in the way of the overwrite", clip=clip.name))
            (before if start <= frame else after).append(item)
        elif stop <= frame:
            before.append(item)
        elif start >= end:
            after.append(item)
        elif start < frame and stop > end:
            raise EditRefused(Problem(f"it would cut {item.name} in two: split it first (S)", clip=clip.name))
        elif start < frame:
            before.extend(_keep_head(project, item, frame - start, snap))
        elif stop > end:
            after.extend(_keep_tail(project, item, stop - end))
    if position < frame:
        before.append(gap(frame - position, rate))
    return normalise([*before, clip, *after], rate)


def _keep_head(project: Project, item: otio.core.Item, length: int, snap: Snapper) -> Children:
    """The first ``length`` frames of ``item`` (gap-padded should the trim come out shorter)."""
    rate = project.rate
    if isinstance(item, otio.schema.Gap):
        return [gap(length, rate)]
    if not _generated(item):
        return [_with_range(item, 0, length, rate)]
    clip_rate = item.source_range.start_time.rate
    in_frame = round(item.source_range.start_time.value)
    cut = timeline_edits.trim(project, item.name, in_frame, in_frame + round(length * clip_rate / rate), snap)
    kept = cut.items[0]
    short = length - frames(kept, rate)
    if short < 0:
        raise EditRefused(Problem(f"{item.name} cannot be cut back that far (its generator's lengths)", clip=item.name))
    return [kept, gap(short, rate)]


def _keep_tail(project: Project, item: otio.core.Item, length: int) -> Children:
    """The last ``length`` frames of ``item``: its in-point moves later."""
    rate = project.rate
    if isinstance(item, otio.schema.Gap):
        return [gap(length, rate)]
    skip = frames(item, rate) - length
    if not _generated(item):
        return [_with_range(item, skip, length, rate)]
    clip_rate = item.source_range.start_time.rate
    in_frame = round(item.source_range.start_time.value)
    out_frame = in_frame + round(item.source_range.duration.value)
    return [timeline_edits.trim(project, item.name, in_frame + round(skip * clip_rate / rate), out_frame).items[0]]


def _with_range(item: otio.core.Item, skip: int, length: int, rate: float) -> otio.core.Item:
    kept = copy.deepcopy(item)
    source = item.trimmed_range()
    start = source.start_time + otio.opentime.RationalTime(skip, rate).rescaled_to(source.start_time.rate)
    kept.source_range = otio.opentime.TimeRange(start, otio.opentime.RationalTime(length, rate))
    return kept


def _generated(item: otio.core.Item) -> bool:
    return isinstance(item, otio.schema.Clip) and METADATA_KEY in item.metadata
