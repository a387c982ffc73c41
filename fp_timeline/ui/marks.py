"""Markers and in/out points on the timeline (no Qt).

Markers are OTIO markers on the timeline's top-level stack (what the FCP 7 XML and OTIO adapters
write as sequence markers), so they travel with an export.  In and out points are frames at the
project rate kept in the timeline's fp-timeline metadata; they limit playback, Render Stale,
Export and Export Movie to ``[in, out)``.
"""

from __future__ import annotations

import copy

import opentimelineio as otio

from fp_timeline.project.document import Project
from fp_timeline.project.recipe import METADATA_KEY

COLOURS = ("RED", "GREEN", "BLUE", "CYAN", "MAGENTA", "YELLOW", "ORANGE", "PURPLE", "PINK", "WHITE")
IN_OUT_KEY = "in_out"


def markers(project: Project) -> list[otio.schema.Marker]:
    return list(project.timeline.tracks.markers)


def marker_frame(marker: otio.schema.Marker, rate: float) -> int:
    return round(marker.marked_range.start_time.to_seconds() * rate)


def make_marker(name: str, frame: int, rate: float, colour: str = "RED") -> otio.schema.Marker:
    start = otio.opentime.RationalTime(frame, rate)
    return otio.schema.Marker(
        name=name,
        marked_range=otio.opentime.TimeRange(start, otio.opentime.RationalTime(0, rate)),
        color=getattr(otio.schema.MarkerColor, colour.upper(), otio.schema.MarkerColor.RED),
    )


def marker_near(project: Project, frame: int, within: int = 0) -> int | None:
    """Index of the marker at ``frame`` (or within ``within`` frames of it)."""
    rate = project.rate
    found = [(abs(marker_frame(m, rate) - frame), i) for i, m in enumerate(markers(project))]
    best = min(found, default=None)
    return best[1] if best is not None and best[0] <= within else None


def next_marker_name(project: Project) -> str:
    names = {m.name for m in markers(project)}
    number = len(names) + 1
    while f"Marker {number}" in names:
        number += 1
    return f"Marker {number}"


def in_out(project: Project) -> tuple[int | None, int | None]:
    stored = project.timeline.metadata.get(METADATA_KEY, {}).get(IN_OUT_KEY) or [None, None]
    return (stored[0], stored[1])


def set_in_out(project: Project, mark_in: int | None, mark_out: int | None) -> None:
    """Store the points (both None: cleared).  An out before the in drops the other point."""
    if mark_in is not None and mark_out is not None and mark_out <= mark_in:
        raise ValueError("the out point must come after the in point")
    meta = dict(project.timeline.metadata.get(METADATA_KEY, {}))
    if mark_in is None and mark_out is None:
        meta.pop(IN_OUT_KEY, None)
    else:
        meta[IN_OUT_KEY] = [mark_in, mark_out]
    project.timeline.metadata[METADATA_KEY] = meta


def play_range(project: Project, duration: int) -> tuple[int, int] | None:
    """``[in, out)`` in frames with missing ends filled in, or None when neither is set."""
    mark_in, mark_out = in_out(project)
    if mark_in is None and mark_out is None:
        return None
    start = mark_in or 0
    end = mark_out if mark_out is not None else duration
    return (start, end) if end > start else None


def clips_in_range(project: Project, start: int, end: int) -> list[str]:
    """Generated clips that overlap frames ``[start, end)``."""
    rate = project.rate
    names = []
    for track in project.tracks():
        position = 0
        for item in track:
            length = 0 if isinstance(item, otio.schema.Transition) else round(item.duration().to_seconds() * rate)
            generated = isinstance(item, otio.schema.Clip) and METADATA_KEY in item.metadata
            if generated and position < end and position + length > start:
                names.append(item.name)
            position += length
    return names


def trimmed_project(project: Project, start: int, end: int) -> Project:
    """The project cut down to ``[start, end)`` (a copy): what Export and Export Movie write."""
    rate = project.rate
    at, length = otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(end - start, rate)
    span = otio.opentime.TimeRange(at, length)
    timeline = otio.algorithms.timeline_trimmed_to_range(copy.deepcopy(project.timeline), span)
    kept = []
    for marker in markers(project):
        frame = marker_frame(marker, rate)
        if start <= frame < end:
            moved = copy.deepcopy(marker)
            moved.marked_range = otio.opentime.TimeRange(
                otio.opentime.RationalTime(frame - start, rate), marker.marked_range.duration
            )
            kept.append(moved)
    timeline.tracks.markers[:] = []
    for marker in kept:
        timeline.tracks.markers.append(marker)
    return Project(path=project.path, timeline=timeline)
