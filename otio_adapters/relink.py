"""Import back: turn a cut re-edited in an NLE into a project again, each clip re-linked to its recipe.

The NLE owns the edit (order, trims, deletions, gaps, transitions); the project owns the recipes
and takes.  ``relink_timeline`` takes the edited structure and puts back, for each clip it
recognises (``recipe_match.find_recipe``), the project clip with its recipe, every take and the
take the editor used, trimmed as the editor trimmed it.  Clips it does not recognise (stock
footage, titles) stay plain clips pointing at their media.  Then a changed shot can be
re-rendered here (``fp-timeline render``) and exported again.

A reordered carried clip now continues a different upstream clip: its recipe hash changes, so it
shows as stale, which is right; a carried clip that became the first on its track is reported by
``fp-timeline validate``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import opentimelineio as otio

from fp_timeline.engine import registry
from fp_timeline.project.document import Project
from fp_timeline.project.rebase import rebased_timeline
from fp_timeline.project.recipe import METADATA_KEY
from fp_timeline.project.takes import use_take
from fp_timeline_otio.identity import EXPORT_KEY
from fp_timeline_otio.media_urls import path_from_url
from fp_timeline_otio.recipe_match import Match, TakeIndex, find_recipe

RationalTime = otio.opentime.RationalTime
TimeRange = otio.opentime.TimeRange


@dataclass
class RelinkResult:
    """The re-linked project and what happened to each edited clip (by its name in the edit)."""

    project: Project
    matches: list[tuple[str, Match]] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # plain clips kept as they came
    dropped: list[str] = field(default_factory=list)  # project clips the editor deleted


def relink_timeline(edited: otio.schema.Timeline, project: Project, path: Path | None = None) -> RelinkResult:
    """A new project (at ``path``, default the project's own path) with ``edited``'s cut and our recipes.

    Neither ``edited`` nor ``project`` is changed; nothing is written.
    """
    target = Project(path=Path(path or project.path).resolve(), timeline=copy.deepcopy(edited))
    # The project as seen from where the new one is written: its relative paths still point right.
    project = Project(
        path=target.path,
        timeline=rebased_timeline(project.timeline, project.folder, target.folder, registry.media_fields),
    )
    index = TakeIndex(project)
    result = RelinkResult(project=target)
    used: dict[str, int] = {}
    for parent, place, clip in list(_clips_in_place(target.timeline.tracks)):
        match = find_recipe(clip, index)
        if match is None:
            _keep_plain(clip, target)
            result.unmatched.append(clip.name)
            continue
        replacement = _project_clip(index.clips[match.clip], clip, match, used)
        parent[place] = replacement
        result.matches.append((clip.name, match))
    # The project's own settings, not the export's note or the NLE's start timecode.
    settings = dict(project.timeline.metadata.get(METADATA_KEY, {}))
    settings.pop(EXPORT_KEY, None)
    target.timeline.metadata[METADATA_KEY] = settings
    target.timeline.global_start_time = RationalTime(0, project.rate)
    if project.timeline.global_start_time is not None:
        target.timeline.global_start_time = copy.deepcopy(project.timeline.global_start_time)
    linked = {m.clip for _, m in result.matches}
    result.dropped = [c.name for c in project.generated_clips() if c.name not in linked]
    return result


def _clips_in_place(
    composition: otio.core.Composition,
) -> Iterator[tuple[otio.core.Composition, int, otio.schema.Clip]]:
    """Each clip below ``composition`` with its parent and index there, in ``find_clips`` order
    (looking the index up afterwards, ``Composition.index``, is a linear search per clip)."""
    for place, child in enumerate(list(composition)):
        if isinstance(child, otio.schema.Clip):
            yield composition, place, child
        elif isinstance(child, otio.core.Composition):
            yield from _clips_in_place(child)


def _project_clip(
    original: otio.schema.Clip, edited: otio.schema.Clip, match: Match, used: dict[str, int]
) -> otio.schema.Clip:
    clip = copy.deepcopy(original)
    if match.take is not None:
        use_take(clip, match.take)
    used[match.clip] = used.get(match.clip, 0) + 1
    if used[match.clip] > 1:  # the editor used a shot twice: clip names are unique in a project
        clip.name = f"{match.clip}_{used[match.clip]}"
    if edited.source_range is not None:
        clip.source_range = _in_rate(edited.source_range, _media_rate(clip, edited))
    clip.enabled = edited.enabled
    return clip


def _media_rate(clip: otio.schema.Clip, edited: otio.schema.Clip) -> float:
    ref = clip.media_reference
    if ref is not None and ref.available_range is not None:
        return ref.available_range.duration.rate
    return edited.source_range.duration.rate


def _in_rate(time_range: TimeRange, rate: float) -> TimeRange:
    """The NLE's range in the take's frames (an NLE may write 23.976 where we said 24000/1001)."""
    start = round(time_range.start_time.rescaled_to(rate).value)
    end = round(time_range.end_time_exclusive().rescaled_to(rate).value)
    return TimeRange(RationalTime(start, rate), RationalTime(end - start, rate))


def _keep_plain(clip: otio.schema.Clip, target: Project) -> None:
    ref = clip.media_reference
    if isinstance(ref, otio.schema.ExternalReference) and ref.target_url:
        # Stored like our own paths: project-relative where possible, never a file:// URL.
        ref.target_url = target.relative(path_from_url(ref.target_url))
