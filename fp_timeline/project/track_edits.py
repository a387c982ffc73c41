"""Edits by time, as an NLE makes them: lift clips (leaving gaps, or rippling), and place clips at a
frame on any track, filling a gap there (free placement) or inserting at a cut.

Each track is handled as a plain list of its children: the edit builds the new list, and ``diff``
turns "old list -> new list" into the one ``Replacement`` that changes only the run that differs
(so undo puts back exactly the objects that were there).  No Qt, and the project is not mutated.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import opentimelineio as otio

from fp_timeline.project.document import Project
from fp_timeline.project.errors import Problem
from fp_timeline.project.recipe import METADATA_KEY, ContextMode, NoiseMode
from fp_timeline.project.timeline_edits import EditRefused, Replacement, locate

Children = list[otio.core.Item]


@dataclass(frozen=True)
class Placed:
    """Where a lifted clip goes: ``frame`` (project rate) on video track ``track``."""

    clip: otio.schema.Clip
    track: int
    frame: int


def frames(item: otio.core.Item, rate: float) -> int:
    return 0 if isinstance(item, otio.schema.Transition) else round(item.duration().to_seconds() * rate)


def gap(length: int, rate: float) -> otio.schema.Gap:
    zero = otio.opentime.RationalTime(0, rate)
    return otio.schema.Gap(source_range=otio.opentime.TimeRange(zero, otio.opentime.RationalTime(length, rate)))


def normalise(children: Children, rate: float) -> Children:
    """Merge neighbouring gaps, drop empty ones and the gap at the end (it is no time at all)."""
    result: Children = []
    for item in children:
        if isinstance(item, otio.schema.Gap):
            length = frames(item, rate)
            if length <= 0:
                continue
            if result and isinstance(result[-1], otio.schema.Gap):
                length += frames(result[-1], rate)
                result[-1] = gap(length, rate)
                continue
        result.append(item)
    while result and isinstance(result[-1], otio.schema.Gap):
        result.pop()
    return result


def diff(track: int, old: Children, new: Children, text: str, select=None) -> Replacement | None:
    """The one replacement that turns ``old`` into ``new`` (None when they are the same objects)."""
    start = 0
    while start < min(len(old), len(new)) and old[start] is new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] is new[end_new - 1]:
        end_old, end_new = end_old - 1, end_new - 1
    if start == end_old and start == end_new:
        return None
    return Replacement(track, start, end_old - start, list(new[start:end_new]), text, select=select)


def lift(children: Children, clips: list[otio.schema.Clip], rate: float, ripple: bool) -> Children:
    """Take ``clips`` out (with the transitions touching them), leaving gaps unless ``ripple``."""
    doomed = {id(c) for c in clips}
    result: Children = []
    for index, item in enumerate(children):
        if isinstance(item, otio.schema.Transition):
            before = children[index - 1] if index > 0 else None
            after = children[index + 1] if index + 1 < len(children) else None
            if id(before) in doomed or id(after) in doomed:
                continue
            result.append(item)
        elif id(item) in doomed:
            if not ripple:
                result.append(gap(frames(item, rate), rate))
        else:
            result.append(item)
    return normalise(result, rate)


def place(children: Children, clip: otio.schema.Clip, frame: int, rate: float, insert: bool = False) -> Children:
    """Put ``clip`` at ``frame``: into the gap there when it fits (or past the end), otherwise (or
    with ``insert``) at the cut nearest ``frame``, pushing what follows later."""
    length = frames(clip, rate)
    position = 0
    for index, item in enumerate(children):
        size = frames(item, rate)
        if isinstance(item, otio.schema.Transition) or position + size <= frame:
            position += size
            continue
        if isinstance(item, otio.schema.Gap):
            head = frame - position
            tail = size - head - length
            if tail >= 0 and not insert:  # fits: the gap around it stays gap
                parts = [gap(head, rate), clip, gap(tail, rate)]
            else:  # the rest of the gap moves right with what follows
                parts = [gap(head, rate), clip, gap(size - head, rate)]
            return normalise([*children[:index], *parts, *children[index + 1 :]], rate)
        cut = index if frame - position < size / 2 else index + 1
        return normalise(_insert_at_cut(children, cut, clip), rate)
    return normalise([*children, gap(frame - position, rate), clip], rate)


def _insert_at_cut(children: Children, cut: int, clip: otio.schema.Clip) -> Children:
    """Insert before child ``cut``; a transition at that cut goes (it joined two clips now apart)."""
    before, after = list(children[:cut]), list(children[cut:])
    if after and isinstance(after[0], otio.schema.Transition):
        after.pop(0)
    if before and isinstance(before[-1], otio.schema.Transition):
        before.pop()
    return [*before, clip, *after]


def move_clips(
    project: Project,
    names: list[str],
    frame_delta: int,
    track_delta: int,
    ripple: bool,
    insert: bool = False,
    put: Callable[[Children, otio.schema.Clip, int], Children] | None = None,
) -> list[Replacement]:
    """Move clips ``frame_delta`` frames and ``track_delta`` tracks, as one edit (several
    replacements).  Without ``ripple`` the places they leave become gaps.  ``put(children, clip,
    frame)`` places each clip (default: ``place``; the overwrite edit passes its own)."""
    tracks = project.tracks()
    starts = clip_starts(project)
    moving: list[Placed] = []
    for name in names:
        t, _, clip = locate(project, name)
        target = t + track_delta
        if not 0 <= target < len(tracks):
            raise EditRefused(Problem(f"there is no video track {target + 1}", clip=name))
        moving.append(Placed(clip, target, max(0, starts[name] + frame_delta)))
    text = f"Move {names[0]}" if len(names) == 1 else f"Move {len(names)} clips"
    rate = project.rate
    put = put or (lambda children, clip, frame: place(children, clip, frame, rate, insert))
    return _relayout(project, moving, ripple, put, text, names)


def clip_starts(project: Project) -> dict[str, int]:
    """Every clip's start frame on its track (project rate)."""
    rate = project.rate
    starts: dict[str, int] = {}
    for track in project.tracks():
        position = 0
        for item in track:
            if isinstance(item, otio.schema.Clip):
                starts[item.name] = position
            position += frames(item, rate)
    return starts


def _relayout(
    project: Project, moving: list[Placed], ripple: bool, put, text: str, select: list[str]
) -> list[Replacement]:
    rate = project.rate
    tracks = project.tracks()
    lifted_clips = {id(p.clip) for p in moving}
    old = {t: list(track) for t, track in enumerate(tracks)}
    lifted: dict[int, Children] = {}
    steps: list[Replacement] = []
    for t, children in old.items():
        mine = [c for c in children if id(c) in lifted_clips]
        if mine:
            lifted[t] = _fix_first_carried(project, children, lift(children, mine, rate, ripple), mine)
            step = diff(t, children, lifted[t], text)
            if step is not None:
                steps.append(step)
    placed = {t: list(lifted.get(t, old[t])) for t in old}
    for p in sorted(moving, key=lambda p: p.frame):
        placed[p.track] = put(placed[p.track], p.clip, p.frame)
    for t, children in placed.items():
        step = diff(t, lifted.get(t, old[t]), children, text, select=select)
        if step is not None:
            steps.append(step)
    if steps:
        steps[-1].select = select
    return steps


def _fix_first_carried(project: Project, before: Children, after: Children, removed: list) -> Children:
    """A carried clip left first on its track starts fresh, from the removed clip's start image."""
    first_before = next((c for c in before if _generated(c)), None)
    first_after = next((c for c in after if _generated(c)), None)
    if first_after is None or first_after is first_before or not _carries(first_after):
        return after
    recipe = project.recipe(first_after)
    image = recipe.image or next((project.recipe(c).image for c in removed if _generated(c)), None)
    fixed = copy.deepcopy(first_after)
    project.set_recipe(fixed, recipe.replace(context=ContextMode.FRESH, noise=NoiseMode.OWN, image=image))
    return [fixed if item is first_after else item for item in after]


def _generated(item: otio.core.Item) -> bool:
    return isinstance(item, otio.schema.Clip) and METADATA_KEY in item.metadata


def _carries(item: otio.core.Item) -> bool:
    return item.metadata.get(METADATA_KEY, {}).get("context") == ContextMode.CARRY.value


def delete_clips(project: Project, names: list[str], ripple: bool) -> list[Replacement]:
    """Delete clips (each track one replacement); without ripple they leave gaps."""
    rate = project.rate
    by_track: dict[int, list] = {}
    for name in names:
        t, _, clip = locate(project, name)
        by_track.setdefault(t, []).append(clip)
    text = ("Ripple delete " if ripple else "Delete ") + (names[0] if len(names) == 1 else f"{len(names)} clips")
    steps = []
    for t, clips in by_track.items():
        children = list(project.tracks()[t])
        after = _fix_first_carried(project, children, lift(children, clips, rate, ripple), clips)
        step = diff(t, children, after, text)
        if step is not None:
            steps.append(step)
    return steps


def place_new(project: Project, track: int, frame: int, clips: list[otio.schema.Clip], text: str, insert: bool):
    """Put new clips (pasted, duplicated) one after another from ``frame`` on ``track``."""
    rate = project.rate
    children = list(project.tracks()[track])
    position = frame
    for clip in clips:
        children = place(children, clip, position, rate, insert)
        position += frames(clip, rate)
    step = diff(track, list(project.tracks()[track]), children, text, select=[c.name for c in clips])
    return [step] if step is not None else []


def trim_in_place(project: Project, trimmed: Replacement) -> Replacement:
    """A trim (``timeline_edits.trim``) that moves nothing else, as with Ripple off: a shorter clip
    leaves a gap where it was, a longer one takes the gap beside it (and pushes only past that).
    Clips with transitions keep the rippling trim (the transition is tied to both neighbours)."""
    t, i, clip = trimmed.track, trimmed.start, project.tracks()[trimmed.track][trimmed.start]
    children = list(project.tracks()[t])
    touching = [children[k] for k in (i - 1, i + 1) if 0 <= k < len(children)]
    if any(isinstance(item, otio.schema.Transition) for item in touching):
        return trimmed
    rate = project.rate
    edited = trimmed.items[0]
    start = clip_starts(project)[clip.name]
    old_in = clip.source_range.start_time.to_seconds() if clip.source_range else 0.0
    new_start = start + round((edited.source_range.start_time.to_seconds() - old_in) * rate)
    lifted = lift(children, [clip], rate, ripple=False)
    new_start = max(new_start, _free_from(lifted, start, rate))
    step = diff(t, children, place(lifted, edited, new_start, rate), trimmed.text, select=trimmed.select)
    return step if step is not None else trimmed


def _free_from(children: Children, frame: int, rate: float) -> int:
    """Where the free time around ``frame`` begins: the start of the gap holding it (or the end)."""
    position = 0
    for item in children:
        size = frames(item, rate)
        if position + size > frame:
            return position if isinstance(item, otio.schema.Gap) else frame
        position += size
    return position
