"""Timeline edits as *replacements*: swap a run of a track's children for new ones.

Every edit the window makes (recipe change, trim, split, move, delete, insert, take switch) is
computed without Qt as one ``Replacement``: "on track T, the ``count`` items from ``start``
become ``items``".  One primitive is easy to undo exactly (put the old items back) and easy to
test; the window's ``ReplaceItemsCommand`` wraps it for the QUndoStack.  The edits that need the engine
(split a rendered take, extend) build their ``Replacement`` there: ``engine.split.split_edit``,
``engine.extend.extension_edit``.

Like OTIO's algorithms these functions never mutate the project: edited clips are deep copies.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import opentimelineio as otio

from fp_timeline.project.document import Project
from fp_timeline.project.edits import make_clip, name_after
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.recipe import METADATA_KEY, ContextMode, NoiseMode, Recipe
from fp_timeline.project.takes import Take, add_take, take_recipe, takes_of, use_take
from fp_timeline.project.upstream import upstream_of

# ``snap_frames(generator, frames, carried)``: the nearest length the clip's generator makes
# (``engine.registry.snap_frames``); the default leaves lengths as they are.
Snapper = Callable[..., int]  # (generator, frames, carried, recipe=None) -> frames


class EditRefused(ProjectError):
    """An edit that would leave the project invalid (e.g. a carried clip first on its track)."""


@dataclass
class Replacement:
    """On video track ``track``, replace ``count`` children from ``start`` with ``items``."""

    track: int
    start: int
    count: int
    items: list[otio.core.Item]
    text: str
    select: str | None = None  # the clip to select afterwards


def locate(project: Project, name: str) -> tuple[int, int, otio.schema.Clip]:
    """(track index, child index, clip) of a generated clip."""
    for t, track in enumerate(project.tracks()):
        for i, item in enumerate(track):
            if isinstance(item, otio.schema.Clip) and item.name == name and METADATA_KEY in item.metadata:
                return t, i, item
    raise EditRefused(Problem(f"no clip named {name!r}", clip=name))


def frames_of(time: otio.opentime.RationalTime) -> int:
    return round(time.value)


def _range(start: int, duration: int, rate: float) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(duration, rate))


def fit_source_range(clip: otio.schema.Clip, recipe: Recipe) -> None:
    """Keep the clip's in-point, and show the generated media to its end (``recipe.frames``)."""
    start = frames_of(clip.source_range.start_time) if clip.source_range else 0
    start = min(start, recipe.frames - 1)
    clip.source_range = _range(start, recipe.frames - start, recipe.fps)


def set_recipe(project: Project, name: str, recipe: Recipe, text: str = "Edit clip") -> Replacement:
    t, i, clip = locate(project, name)
    edited = copy.deepcopy(clip)
    project.set_recipe(edited, recipe)
    fit_source_range(edited, recipe)
    return Replacement(t, i, 1, [edited], text, select=name)


def _unsnapped(generator: str, frames: int, carried: bool, recipe: Recipe | None = None) -> int:
    return frames


def trim(project: Project, name: str, in_frame: int, out_frame: int, snap_frames: Snapper = _unsnapped) -> Replacement:
    """Show frames ``[in_frame, out_frame)`` of the clip's generation: the source range only, never the
    recipe.  Trimming never regenerates; the generation's length changes only through an explicit action
    (extend, or the duration in the inspector), and a carried clip after it continues from the untrimmed end."""
    t, i, clip = locate(project, name)
    recipe = project.recipe(clip)
    out_frame = max(1, min(out_frame, recipe.frames))
    in_frame = max(0, min(in_frame, out_frame - 1))
    edited = copy.deepcopy(clip)
    edited.source_range = _range(in_frame, out_frame - in_frame, recipe.fps)
    return Replacement(t, i, 1, [edited], f"Trim {name}", select=name)


def split(project: Project, name: str, at_frame: int, snap_frames: Snapper = _unsnapped) -> Replacement:
    """Cut a clip's recipe ``at_frame`` frames after its visible start into two recipes to render.  The
    second part *carries* from the first and continues its noise, so together they still make one
    continuous generation.  (A rendered clip whose generator can cut its take keeps its render instead:
    ``engine.split.split_edit``.)"""
    t, i, clip = locate(project, name)
    recipe = project.recipe(clip)
    in_frame = frames_of(clip.source_range.start_time)
    cut = snap_frames(recipe.generator, in_frame + at_frame, recipe.carries, recipe)
    if not in_frame < cut < recipe.frames:
        raise EditRefused(Problem("split point must be inside the clip", clip=name))
    first = copy.deepcopy(clip)
    first_recipe = recipe.replace(frames=cut)
    project.set_recipe(first, first_recipe)
    first.source_range = _range(in_frame, cut - in_frame, recipe.fps)
    rest = snap_frames(recipe.generator, recipe.frames - cut, True, recipe)
    second_recipe = recipe.replace(frames=rest, image=None, context=ContextMode.CARRY, noise=NoiseMode.CONTINUE)
    second = make_clip(name_after(project, name), second_recipe)
    return Replacement(t, i, 1, [first, second], f"Split {name}", select=second.name)


def delete(project: Project, name: str, ripple: bool) -> Replacement:
    """Remove a clip; without ripple a gap keeps later clips in place.  Transitions touching the
    clip go with it, and a carried clip left first on its track starts fresh from the deleted
    clip's start image."""
    t, i, clip = locate(project, name)
    track = project.tracks()[t]
    start, end = _span_with_transitions(track, i)
    items: list[otio.core.Item] = []
    if not ripple:
        items.append(otio.schema.Gap(source_range=_range(0, frames_of(clip.duration()), clip.duration().rate)))
    recipe = project.recipe(clip)
    if end < len(track) and upstream_of(project, name) is None:  # what follows would be first: no upstream
        following = track[end]
        if isinstance(following, otio.schema.Clip) and METADATA_KEY in following.metadata:
            following_recipe = project.recipe(following)
            if following_recipe.carries:
                fixed = copy.deepcopy(following)
                project.set_recipe(
                    fixed,
                    following_recipe.replace(
                        context=ContextMode.FRESH, noise=NoiseMode.OWN, image=following_recipe.image or recipe.image
                    ),
                )
                items.append(fixed)
                end += 1
    return Replacement(t, start, end - start, items, f"{'Ripple delete' if ripple else 'Delete'} {name}")


def _span_with_transitions(track: otio.schema.Track, index: int) -> tuple[int, int]:
    """[start, end) of child ``index`` together with the transitions touching it."""
    start, end = index, index + 1
    if start > 0 and isinstance(track[start - 1], otio.schema.Transition):
        start -= 1
    if end < len(track) and isinstance(track[end], otio.schema.Transition):
        end += 1
    return start, end


def close_gap(project: Project, track: int, index: int) -> Replacement:
    """Remove a gap, pulling what follows it earlier."""
    children = project.tracks()[track]
    if not 0 <= index < len(children) or not isinstance(children[index], otio.schema.Gap):
        raise EditRefused(Problem("there is no gap there"))
    return Replacement(track, index, 1, [], "Close gap")


def move(project: Project, name: str, to_index: int, to_track: int | None = None) -> list[Replacement]:
    """Move a clip so it sits before child ``to_index`` of track ``to_track`` (indices as they are
    before the move).  Transitions touching the clip are dropped: they belonged to its old cuts.
    Returns no replacements when nothing would change."""
    t, i, clip = locate(project, name)
    text = f"Move {name}"
    track = project.tracks()[t]
    start, end = _span_with_transitions(track, i)
    if to_track is not None and to_track != t:
        if not 0 <= to_track < len(project.tracks()):
            raise EditRefused(Problem(f"no video track {to_track + 1}", clip=name))
        target = project.tracks()[to_track]
        to_index = max(0, min(to_index, len(target)))
        # Take it out first, then put it in: applied in this order, undone in reverse.
        return [
            Replacement(t, start, end - start, [], text),
            Replacement(to_track, to_index, 0, [clip], text, select=name),
        ]
    to_index = max(0, min(to_index, len(track)))
    if start <= to_index <= end:
        return []
    lo, hi = min(start, to_index), max(end, to_index)
    kept = [track[k] for k in range(lo, hi) if not start <= k < end]
    position = 0 if to_index < start else len(kept)
    items = kept[:position] + [clip] + kept[position:]
    return [Replacement(t, lo, hi - lo, items, text, select=name)]


def insert(project: Project, track: int, index: int, clip: otio.schema.Clip, text: str = "Add clip") -> Replacement:
    return Replacement(track, index, 0, [clip], text, select=clip.name)


def add_rendered_take(project: Project, name: str, take: Take, variation: bool = False) -> Replacement:
    """A finished take lands on its clip.  A variation's recipe (its new seed) becomes the clip's, unless
    the clip was edited while it rendered (the edit wins; the take shows as made from another recipe)."""
    t, i, clip = locate(project, name)
    edited = copy.deepcopy(clip)
    recipe = take_recipe(project, clip, take) if variation else None
    if recipe is not None and project.recipe(clip).replace(seed=recipe.seed, noise=recipe.noise) == recipe:
        project.set_recipe(edited, recipe)
    add_take(edited, take)
    return Replacement(t, i, 1, [edited], f"Render {name} ({take.key})", select=None)


def remove_take(project: Project, name: str, key: str) -> Replacement:
    """Drop take ``key`` from the clip (its files are deleted by the caller); the take in use stays."""
    t, i, clip = locate(project, name)
    if clip.active_media_reference_key == key:
        raise ProjectError(Problem(f"{key} is the take in use; choose another take first", clip=name))
    refs = dict(clip.media_references())
    if key not in refs:
        raise ProjectError(Problem(f"no take {key!r}", clip=name))
    del refs[key]
    edited = copy.deepcopy(clip)
    edited.set_media_references(refs, clip.active_media_reference_key)
    return Replacement(t, i, 1, [edited], f"Delete {key} of {name}", select=name)


def switch_take(project: Project, name: str, key: str) -> Replacement:
    t, i, clip = locate(project, name)
    edited = copy.deepcopy(clip)
    use_take(edited, key)
    # Choosing a take chooses its recipe (its seed, prompt...): an older variation stays chosen.
    take = next((t for t in takes_of(edited) if t.key == key), None)
    recipe = take_recipe(project, clip, take) if take is not None else None
    if recipe is not None:
        project.set_recipe(edited, recipe)
    return Replacement(t, i, 1, [edited], f"Use {key} for {name}", select=name)


def apply(project: Project, replacement: Replacement) -> list[otio.core.Item]:
    """Do a replacement in place; returns the items it took out (to put back on undo)."""
    track = project.tracks()[replacement.track]
    removed = []
    for _ in range(replacement.count):
        removed.append(track[replacement.start])  # keep the object: del detaches it from the track
        del track[replacement.start]
    for offset, item in enumerate(replacement.items):
        track.insert(replacement.start + offset, item)
    return removed


def revert(project: Project, replacement: Replacement, removed: list[otio.core.Item]) -> None:
    track = project.tracks()[replacement.track]
    for _ in replacement.items:
        del track[replacement.start]
    for offset, item in enumerate(removed):
        track.insert(replacement.start + offset, item)
