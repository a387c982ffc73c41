"""A razor cut that costs no render: split a rendered clip on a boundary its generator can cut at.

A carried chain is one generation cut into pieces, so the two halves of a rendered take are the takes a
render of the halves would make.  The first half keeps the clip's name with a shorter recipe; the second
becomes a ``carry`` clip that continues the noise, inserted after it.  The generator (``TakeSplitter``)
writes both halves' takes from the original take (F1 decodes its kept section latents again: VAE work
only), so after the split nothing is stale and the planner has no job; changing the second half's prompt
then renders only it and what carries from it.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import opentimelineio as otio

from fp_timeline.engine import capabilities, registry
from fp_timeline.engine.generator import CancelToken, Dependency, RenderJob, TakeSplit, TakeSplitter
from fp_timeline.engine.identity import runtime_identity, versions_for
from fp_timeline.engine.media import VideoWriter
from fp_timeline.engine.planner import PlannedJob, incoming_context
from fp_timeline.engine.store import next_free_take_key, take_paths, work_dir, write_take_record
from fp_timeline.project.document import Project
from fp_timeline.project.edits import insert_after, make_clip, name_after
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.hashing import ClipState, clip_state, hashed_clips
from fp_timeline.project.recipe import ContextMode, NoiseMode, Recipe
from fp_timeline.project.takes import Take, active_take, add_take
from fp_timeline.project.timeline_edits import EditRefused, Replacement, Snapper, frames_of, locate
from fp_timeline.project.timeline_edits import split as split_recipe


@dataclass(frozen=True)
class SplitPlan:
    """Where a clip is cut: ``frames`` of its generation stay in the first half."""

    clip: str
    frames: int
    first: Recipe
    second: Recipe


def unsplittable(project: Project, name: str) -> str | None:
    """Why clip ``name`` cannot be cut in two at all (None when it can), from its generator's declared
    dependencies: a clip that ends on the next clip's first frame (a bridge) would become two clips that
    each need the other's frame (the first half ends on the second's first frame, the second starts on the
    first's last)."""
    needs = registry.clip_needs(project.recipe(project.clip(name)))
    if Dependency.NEXT_FIRST_FRAME not in needs:
        return None
    return (
        f"{name} cannot be split: it {capabilities.describe_needs(needs)}, so its two halves would each need "
        "the other's frame; change its length, or delete it and bridge each new cut"
    )


def refuse_unsplittable(project: Project, name: str) -> None:
    """Raise ``EditRefused`` (nothing changed) when ``name`` cannot be cut in two (``unsplittable``)."""
    why = unsplittable(project, name)
    if why is not None:
        raise EditRefused(Problem(why, clip=name))


def plan_split(project: Project, name: str, at_frame: int) -> SplitPlan:
    """The cut nearest ``at_frame`` (counted from the generation's first frame) that the generator can make."""
    clip = project.clip(name)
    recipe = project.recipe(clip)
    generator = registry.load_generator(recipe.generator)
    cut = generator.snap_frames(max(1, at_frame), carried=recipe.carries, recipe=recipe)
    if not 0 < cut < recipe.frames:
        raise ProjectError(
            Problem(f"a cut at frame {at_frame} is not inside the generation (nearest boundary: {cut})", clip=name)
        )
    rest = recipe.frames - cut
    second = recipe.replace(frames=rest, image=None, context=ContextMode.CARRY, noise=NoiseMode.CONTINUE)
    if generator.snap_frames(rest, carried=True, recipe=second) != rest:
        raise ProjectError(Problem(f"{rest} frames after the cut is not a length {recipe.generator} makes", clip=name))
    return SplitPlan(name, cut, recipe.replace(frames=cut), second)


def can_split_rendered(project: Project, name: str, options: dict[str, Any] | None = None) -> str | None:
    """None when ``name`` can be split without rendering, else why not (in words)."""
    clip = project.clip(name)
    recipe = project.recipe(clip)
    if not isinstance(registry.load_generator(recipe.generator), TakeSplitter):
        return f"{recipe.generator} cannot cut a take without rendering it again"
    node = next(h for h in hashed_clips(project, versions_for(options)) if h.clip.name == name)
    take = active_take(clip)
    if clip_state(clip, node.hash) is not ClipState.RENDERED or take is None:
        return "it is not rendered for its current recipe"
    if not project.resolve(take.media).is_file() or not take.context or not project.resolve(take.context).is_file():
        return f"the files of {take.key} are missing"
    return None


def split_rendered(
    project: Project, name: str, at_frame: int, options: dict[str, Any] | None = None, cancel: CancelToken | None = None
) -> tuple[str, str]:
    """Cut rendered clip ``name`` in two, in place, writing both halves' takes; returns their names.

    Raises ``ProjectError`` (the project unchanged) when it cannot be done without rendering.
    """
    first, second = split_clips(project, name, at_frame, options, cancel)
    original = project.clip(name)
    track = original.parent()
    index = track.index(original)
    del track[index]
    track.insert(index, second)
    track.insert(index, first)
    return first.name, second.name


def split_edit(
    project: Project, name: str, at_frame: int, snap_frames: Snapper, options: dict[str, Any] | None = None
) -> Replacement:
    """The window's split: cut clip ``name`` ``at_frame`` frames after its visible start, as one undoable
    ``Replacement``.  A rendered clip whose generator can cut its take keeps its render (both halves get
    takes made from it, with no sampling, and nothing after them goes stale); otherwise the halves are new
    recipes to render (``timeline_edits.split``)."""
    t, i, clip = locate(project, name)
    refuse_unsplittable(project, name)
    try:
        rendered = can_split_rendered(project, name, options) is None
    except ProjectError:
        rendered = False
    if not rendered:
        return split_recipe(project, name, at_frame, snap_frames)
    in_frame = frames_of(clip.source_range.start_time)
    first, second = split_clips(project, name, in_frame + at_frame, options)
    return Replacement(t, i, 1, [first, second], f"Split {name}", select=second.name)


def split_clips(
    project: Project, name: str, at_frame: int, options: dict[str, Any] | None = None, cancel: CancelToken | None = None
) -> tuple[otio.schema.Clip, otio.schema.Clip]:
    """The two clips (not in any track) that replace ``name``, each with its new take written to disk.

    The project is not changed (the window applies the result as one undoable edit).
    """
    refuse_unsplittable(project, name)
    why = can_split_rendered(project, name, options)
    if why is not None:
        raise ProjectError(Problem(f"cannot split without rendering: {why}", file=project.path, clip=name))
    plan = plan_split(project, name, at_frame)
    original = project.clip(name)
    source_take = active_take(original)
    trial = Project(path=project.path, timeline=copy.deepcopy(project.timeline))
    first, second = _cut(trial, plan, original)
    nodes = {h.clip.name: h for h in hashed_clips(trial, versions_for(options))}
    jobs = [_job(trial, clip, nodes[clip.name].hash, options) for clip in (first, second)]
    jobs[0] = dataclasses.replace(jobs[0], incoming=_original_incoming(project, name, options))
    paths = [take_paths(trial, job.clip, _key(job)) for job in jobs]
    writers = [VideoWriter(p.media, rate=job.recipe.fps) for p, job in zip(paths, jobs, strict=True)]
    generator = registry.load_generator(plan.first.generator)
    source = TakeSplit(media=project.resolve(source_take.media), context=project.resolve(source_take.context))
    identity = runtime_identity(plan.first.generator, options)
    try:
        blobs = generator.split_take(source, jobs[0], jobs[1], writers[0], writers[1], cancel or CancelToken())
        takes = [
            _take(trial, job, writer.frames_written, blob.path, identity, (name, source_take.key))
            for job, writer, blob in zip(jobs, writers, blobs, strict=True)
        ]
        for writer in writers:
            writer.close()
    except BaseException:
        for writer in writers:
            writer.abort()
        raise
    for clip, take in zip((first, second), takes, strict=True):
        add_take(clip, take)
    return copy.deepcopy(first), copy.deepcopy(second)


def _original_incoming(project: Project, name: str, options: dict[str, Any] | None):
    node = next(h for h in hashed_clips(project, versions_for(options)) if h.clip.name == name)
    if node.upstream is None:
        return None
    job = PlannedJob(name, node.track, node.recipe, node.hash, node.upstream, node.upstream_hash, "split")
    return incoming_context(project, job, options)


def _cut(project: Project, plan: SplitPlan, original: otio.schema.Clip) -> tuple[otio.schema.Clip, otio.schema.Clip]:
    """In ``project`` (a copy): the first half under the clip's name, the second inserted after it."""
    shown = original.trimmed_range()
    in_frame = round(shown.start_time.to_frames())
    out_frame = in_frame + round(shown.duration.to_frames())
    if not in_frame < plan.frames < out_frame:
        raise ProjectError(
            Problem(f"the cut (frame {plan.frames}) must fall inside the shown part of the clip", clip=plan.clip)
        )
    rate = plan.first.fps
    first = project.clip(plan.clip)
    project.set_recipe(first, plan.first)
    first.source_range = _range(in_frame, plan.frames - in_frame, rate)
    second = make_clip(name_after(project, plan.clip), plan.second)
    second.source_range = _range(0, out_frame - plan.frames, rate)
    insert_after(first, second)
    return first, second


def _range(start: int, duration: int, rate: float) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(duration, rate))


def _key(job: RenderJob) -> str:
    return job.context_path.name.removesuffix(".context.safetensors")


def _job(project: Project, clip: otio.schema.Clip, recipe_hash: str, options: dict[str, Any] | None) -> RenderJob:
    recipe = project.recipe(clip)
    paths = take_paths(project, clip.name, next_free_take_key(project, clip))
    paths.media.parent.mkdir(parents=True, exist_ok=True)
    return RenderJob(
        clip=clip.name,
        recipe=recipe,
        recipe_hash=recipe_hash,
        image_path=project.resolve(recipe.image) if recipe.image else None,
        incoming=None,
        context_path=paths.context,
        work_dir=work_dir(project, clip.name, recipe_hash),
        options=dict(options or {}),
    )


def _take(project: Project, job: RenderJob, frames: int, context, identity, source: tuple[str, str]) -> Take:
    paths = take_paths(project, job.clip, _key(job))
    take = Take(
        key=_key(job),
        media=project.relative(paths.media),
        recipe_hash=job.recipe_hash,
        frames=frames,
        rate=job.recipe.fps,
        context=project.relative(context),
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        model=identity.label,
        identity=identity.digest,
        recipe=job.recipe.to_metadata(),
    )
    record = {
        "clip": job.clip,
        "take": take.__dict__,
        "recipe": job.recipe.to_metadata(),
        "split_from": {"clip": source[0], "take": source[1]},
    }
    write_take_record(paths, record)
    return take
