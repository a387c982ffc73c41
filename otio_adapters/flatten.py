"""Flatten a project into the timeline an NLE imports: one ``ExternalReference`` per clip, the active take.

Like OTIO's algorithms this returns a new timeline and leaves the project alone.  What changes:
- each generated clip keeps only its active take (our project keeps every take plus the
  ``GeneratorReference``), spelled as the target NLE wants (``media_urls.UrlStyle``);
- ``available_range`` and ``source_range`` are always set (the FCP 7 XML writer crashes without);
- rates move to exact SMPTE rates (23.976 -> 24000/1001) and the timeline gets its start timecode;
- transitions get handles, or become cuts (``handles.py``);
- each clip records where it came from (``identity.RecipeId``) so an edited cut can be re-linked;
- a clip with post-processing effects points at its processed media and loses the effects (they are
  baked in, and listed in its metadata); with ``processed=False`` it keeps the unprocessed take and
  the effects stay, described, for an NLE that does its own.
"""

from __future__ import annotations

import copy

import opentimelineio as otio

from fp_timeline.engine.media import probe
from fp_timeline.engine.postfx.jobs import postfx_job
from fp_timeline.project.document import Project
from fp_timeline.project.effects import effect_stack, is_ours
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.recipe import METADATA_KEY
from fp_timeline.project.takes import active_take
from fp_timeline_otio.handles import TransitionPolicy, track_for_export
from fp_timeline_otio.identity import EXPORT_KEY, RecipeId
from fp_timeline_otio.media_urls import UrlStyle, url_for
from fp_timeline_otio.rates import exact_range, exact_rate, exact_time, start_time_from_timecode
from fp_timeline_otio.readiness import export_problems, plain_media

RationalTime = otio.opentime.RationalTime
TimeRange = otio.opentime.TimeRange
MEDIA_KEY = otio.schema.Clip.DEFAULT_MEDIA_KEY


def flatten_for_export(
    project: Project,
    url_style: UrlStyle = UrlStyle.PATH,
    start_timecode: str | None = None,
    transitions: TransitionPolicy = TransitionPolicy.OVERLAP,
    processed: bool = True,
) -> otio.schema.Timeline:
    """The project's cut with active takes (processed, by default) only; ``ProjectError`` lists clips not ready."""
    problems = export_problems(project) + (_unprocessed(project) if processed else [])
    if problems:
        raise ProjectError(problems)
    timeline = copy.deepcopy(project.timeline)
    rate = exact_rate(project.rate)
    start = timeline.global_start_time or RationalTime(0, rate)
    timeline.global_start_time = (
        start_time_from_timecode(start_timecode, rate) if start_timecode else RationalTime(start.value, rate)
    )
    timeline.metadata[METADATA_KEY] = {
        **dict(timeline.metadata.get(METADATA_KEY, {})),
        EXPORT_KEY: {"project": project.path.as_posix(), "url_style": url_style.value},
    }
    for index, track in enumerate(list(timeline.tracks)):
        for item in track:
            _flatten_item(project, item, url_style)
            if processed and isinstance(item, otio.schema.Clip) and METADATA_KEY in item.metadata:
                _bake_effects(project, item, url_style)
        if processed:
            _drop_our_effects(track)
        if any(isinstance(item, otio.schema.Transition) for item in track):
            timeline.tracks[index] = track_for_export(track, transitions)
    if processed:
        _drop_our_effects(timeline.tracks)
    return timeline


def _unprocessed(project: Project) -> list[Problem]:
    problems = []
    for clip in project.generated_clips():
        try:
            job = postfx_job(project, clip)
        except ProjectError as err:
            problems += err.problems
            continue
        if job is not None and not job.done:
            message = "effects not processed yet (`fp-timeline fx PROJECT --build`, or export the unprocessed takes)"
            problems.append(Problem(message, file=project.path, clip=clip.name))
    return problems


def _bake_effects(project: Project, clip: otio.schema.Clip, url_style: UrlStyle) -> None:
    """Point a clip with effects at its processed media; the effects are now in the pixels."""
    original = project.clip(clip.name)
    job = postfx_job(project, original)
    if job is None:
        return
    info = probe(job.media)
    rate = exact_rate(info.rate)
    available = TimeRange(RationalTime(0, rate), RationalTime(info.frames, rate))
    ref = clip.media_reference
    ref.target_url = url_for(job.media, url_style)
    ref.available_range = available
    ref.name = f"{ref.name}_processed"
    clip.source_range = _within(clip.source_range, available)
    baked = [effect.describe() for effect in effect_stack(project.timeline, original)]
    clip.metadata[METADATA_KEY] = {**dict(clip.metadata[METADATA_KEY]), "processed": baked}
    _drop_our_effects(clip)


def _drop_our_effects(item: otio.core.Item | otio.schema.Stack) -> None:
    for index in reversed([i for i, effect in enumerate(item.effects) if is_ours(effect)]):
        del item.effects[index]


def _flatten_item(project: Project, item: otio.core.Composable, url_style: UrlStyle) -> None:
    if isinstance(item, otio.schema.Transition):
        item.in_offset = exact_time(item.in_offset)
        item.out_offset = exact_time(item.out_offset)
    elif isinstance(item, otio.schema.Gap):
        item.source_range = exact_range(item.source_range)
    elif isinstance(item, otio.schema.Clip):
        if METADATA_KEY in item.metadata:
            _flatten_generated(project, item, url_style)
        else:
            _flatten_plain(project, item, url_style)


def _flatten_generated(project: Project, clip: otio.schema.Clip, url_style: UrlStyle) -> None:
    take = active_take(clip)
    if take is None:  # export_problems refuses these first; never export a clip without media
        raise ProjectError(Problem("not rendered (no active take)", file=project.path, clip=clip.name))
    media = project.take_file(take.media)
    if media is None:  # export_problems refuses these first: nothing outside the project is exported
        raise ProjectError(Problem(f"{take.key} points outside the project folder", file=project.path, clip=clip.name))
    rate = exact_rate(take.rate)
    available = TimeRange(RationalTime(0, rate), RationalTime(take.frames, rate))
    ref = otio.schema.ExternalReference(target_url=url_for(media, url_style), available_range=available)
    # NLE bins list media by name; every take file is called take_NNN.mp4, so name it after the clip.
    ref.name = f"{clip.name}_{take.key}"
    ref.metadata[METADATA_KEY] = dict(clip.media_references()[take.key].metadata.get(METADATA_KEY, {}))
    clip.set_media_references({MEDIA_KEY: ref}, MEDIA_KEY)
    clip.source_range = _within(clip.source_range, available)
    recipe_id = RecipeId(clip.name, take.key, take.recipe_hash)
    clip.metadata[METADATA_KEY] = {**dict(clip.metadata[METADATA_KEY]), EXPORT_KEY: recipe_id.to_metadata()}


def _flatten_plain(project: Project, clip: otio.schema.Clip, url_style: UrlStyle) -> None:
    ref = copy.deepcopy(clip.media_reference)  # ExternalReference: readiness refused anything else
    ref.target_url = url_for(plain_media(project, ref), url_style)
    if ref.available_range is None:
        ref.available_range = clip.source_range
    ref.available_range = exact_range(ref.available_range)
    clip.set_media_references({MEDIA_KEY: ref}, MEDIA_KEY)
    clip.source_range = _within(clip.source_range, ref.available_range)


def _within(source: TimeRange | None, available: TimeRange) -> TimeRange:
    """The clip's range at the media's exact rate, cut to the media (a stale take may be shorter)."""
    if source is None:
        return available
    rate = available.duration.rate
    start = source.start_time.rescaled_to(rate)
    end = min(source.end_time_exclusive().rescaled_to(rate), available.end_time_exclusive())
    start = RationalTime(round(start.value), rate)
    return TimeRange(start, RationalTime(round(end.value) - start.value, rate))
