"""Give every transition the media it needs, by overlapping the clips it joins.

In OTIO a transition is centred on a cut and plays ``in_offset`` frames of the incoming clip from
before its ``source_range`` and ``out_offset`` frames of the outgoing clip from after it: it needs
handles.  A generated take is exactly as long as its clip, so there are none; NLEs then repeat
frames or refuse, and the EDL writer crashes on a negative source timecode.  We make the handles
by trimming: the outgoing clip ends ``out_offset`` earlier and the incoming clip starts
``in_offset`` later, so the dissolve mixes the last frames of one take with the first frames of
the next (a 12-frame dissolve between takes of 73 and 37 frames gives 98 frames of cut).

That cut is shorter than the project's conform (``fp_timeline.engine.conform`` keeps every clip's
length and holds the first/last frame during a dissolve instead).  ``TransitionPolicy.CUT`` keeps
the conform's timing exactly by exporting straight cuts; the editor adds dissolves in the NLE.
"""

from __future__ import annotations

import copy
import math
from enum import Enum

import opentimelineio as otio

RationalTime = otio.opentime.RationalTime
TimeRange = otio.opentime.TimeRange


class TransitionPolicy(str, Enum):
    """What an export does with the project's transitions."""

    OVERLAP = "overlap"  # keep them; trim the clips around each so the NLE has real handles
    CUT = "cut"  # drop them: straight cuts at the project's timing, as long as the conform


def track_for_export(track: otio.schema.Track, policy: TransitionPolicy) -> otio.schema.Track:
    """A copy of ``track`` whose transitions an NLE can play without media it does not have."""
    if policy is TransitionPolicy.CUT:
        return track_without_transitions(track)
    return track_with_transition_handles(track)


def track_without_transitions(track: otio.schema.Track) -> otio.schema.Track:
    """A copy of ``track`` with every transition removed (the clips keep their ranges)."""
    result = copy.deepcopy(track)
    for item in [i for i in result if isinstance(i, otio.schema.Transition)]:
        del result[result.index(item)]
    return result


def track_with_transition_handles(track: otio.schema.Track) -> otio.schema.Track:
    """A copy of ``track`` in which every transition has media on both sides."""
    result = copy.deepcopy(track)
    items = list(result)
    for index, item in enumerate(items):
        if not isinstance(item, otio.schema.Transition):
            continue
        before = items[index - 1] if index > 0 else None
        after = items[index + 1] if index + 1 < len(items) else None
        if isinstance(before, otio.schema.Clip):
            _make_tail_handle(before, item.out_offset)
        if isinstance(after, otio.schema.Clip):
            _make_head_handle(after, item.in_offset)
    return result


def _make_head_handle(clip: otio.schema.Clip, needed: RationalTime) -> None:
    """Start the clip later until ``needed`` frames of media lie before its source start."""
    available = _available(clip)
    source = clip.source_range
    have = source.start_time - available.start_time
    missing = _whole_frames(needed.rescaled_to(source.start_time) - have)
    if missing.value <= 0:
        return
    clip.source_range = TimeRange(source.start_time + missing, _shorter(clip, source.duration, missing))


def _make_tail_handle(clip: otio.schema.Clip, needed: RationalTime) -> None:
    """End the clip earlier until ``needed`` frames of media lie after its source end."""
    available = _available(clip)
    source = clip.source_range
    have = available.end_time_exclusive() - source.end_time_exclusive()
    missing = _whole_frames(needed.rescaled_to(source.start_time) - have)
    if missing.value <= 0:
        return
    clip.source_range = TimeRange(source.start_time, _shorter(clip, source.duration, missing))


def _whole_frames(time: RationalTime) -> RationalTime:
    # A 6-frame handle at 24 fps is 7.5 frames of a 30 fps take: NLEs cut on whole frames, so round up.
    return RationalTime(math.ceil(time.value - 1e-9), time.rate)


def _shorter(clip: otio.schema.Clip, duration: RationalTime, by: RationalTime) -> RationalTime:
    result = duration - by
    if result.value <= 0:
        raise ValueError(f"clip {clip.name!r} is too short for the transitions around it")
    return result


def _available(clip: otio.schema.Clip) -> TimeRange:
    ref = clip.media_reference
    if ref is not None and ref.available_range is not None:
        return ref.available_range
    return clip.source_range  # no media length known: the clip is all there is
