"""Post-processing jobs: which clips' derived media is missing, and building it stage by stage.

A clip's effect stack (``project.effects.effect_stack``) applied to its active take is a chain of
*stages*; stage i's key is ``H(stage i-1's key, effect i, its processor and version, the model file's
and the reference take's content)``, and stage 0 starts from the take file's content hash.  Each stage
is kept as ``<stem>.fp/derived/<clip>/<key>.mp4`` (written under a hidden name, renamed when whole),
so:

* nothing is rebuilt while neither the take nor a setting changed (the key finds the file);
* changing the last effect rebuilds only the last stage; changing one clip touches only its files;
* a cancelled or killed job resumes at the first stage whose file is missing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import opentimelineio as otio

from fp_timeline.engine.generator import CancelToken, Progress, ProgressCallback
from fp_timeline.engine.media import VideoInfo, VideoWriter, probe
from fp_timeline.engine.postfx.builtin import builtin_processor
from fp_timeline.engine.postfx.processor import Processor, StageInput, processor_for
from fp_timeline.project.atomic import write_text_atomic
from fp_timeline.project.document import Project
from fp_timeline.project.effects import BUILTIN_MODEL, PostEffect, effect_stack
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.hashing import HASH_LENGTH, file_digest
from fp_timeline.project.takes import active_take

POSTFX_STAGE = "postfx"  # Progress.stage prefix: "postfx:upscale"
KEY_SCHEME = 1


@dataclass(frozen=True)
class Stage:
    effect: PostEffect
    processor: Processor
    key: str
    path: Path
    model: Path | None = None
    reference: Path | None = None

    @property
    def done(self) -> bool:
        return self.path.is_file()


@dataclass(frozen=True)
class PostJob:
    """One clip's chain from its active take to its processed media."""

    clip: str
    take: str
    source: Path
    stages: tuple[Stage, ...]

    @property
    def media(self) -> Path:
        return self.stages[-1].path

    @property
    def done(self) -> bool:
        return self.stages[-1].done


def derived_dir(project: Project, clip_name: str) -> Path:
    return project.data_dir / "derived" / clip_name


def postfx_job(project: Project, clip: otio.schema.Clip) -> PostJob | None:
    """The chain for ``clip``'s active take, or None when it has no effects or no take file."""
    effects = effect_stack(project.timeline, clip)
    take = active_take(clip)
    if not effects or take is None:
        return None
    source = project.take_file(take.media)  # None outside the project folder: never read
    if source is None or not source.is_file():
        return None
    key = _digest({"take": file_digest(source), "scheme": KEY_SCHEME})
    stages = []
    for effect in effects:
        processor = processor_for(effect, builtin_processor)
        model, reference = _model(project, clip, effect), _reference(project, clip, effect)
        key = _digest(
            {
                "input": key,
                "effect": effect.identity(),
                "processor": [processor.id, processor.version],
                "model": file_digest(model) if model else None,
                "reference": file_digest(reference) if reference else None,
            }
        )
        path = derived_dir(project, clip.name) / f"{key}.mp4"
        stages.append(Stage(effect, processor, key, path, model, reference))
    return PostJob(clip.name, take.key, source, tuple(stages))


def plan_postfx(project: Project, clips: list[str] | None = None) -> list[PostJob]:
    """Jobs for clips (all, or those named) whose processed media is not built yet, in timeline order."""
    wanted = None if clips is None else set(clips)
    jobs = []
    for clip in project.generated_clips():
        if wanted is not None and clip.name not in wanted:
            continue
        job = postfx_job(project, clip)
        if job is not None and not job.done:
            jobs.append(job)
    return jobs


def processed_media(project: Project, clip: otio.schema.Clip) -> Path | None:
    """The clip's processed media when it is built for the current take and effects, else None."""
    try:
        job = postfx_job(project, clip)
    except ProjectError:
        return None
    return job.media if job is not None and job.done else None


def predicted_media(project: Project, job: PostJob) -> VideoInfo:
    """What the processed media will be (frames, rate, size), from the take and each stage's ``shape``."""
    info = probe(job.source)
    for stage in job.stages:
        info = stage.processor.shape(stage.effect, info)
    return info


def processed_range(project: Project, clip: otio.schema.Clip) -> otio.opentime.TimeRange | None:
    """The clip's range stretched to its processed media's length (a ping-pong loop is twice the take),
    the in-point and the clip's rate kept; None when the clip has no effects or no take."""
    job = postfx_job(project, clip)
    if job is None:
        return None
    info = predicted_media(project, job)
    current = clip.trimmed_range()
    rate = current.duration.rate
    frames = max(1, round((info.frames / info.rate - current.start_time.to_seconds()) * rate))
    return otio.opentime.TimeRange(current.start_time, otio.opentime.RationalTime(frames, rate))


def fit_to_processed(project: Project, clip: otio.schema.Clip) -> otio.opentime.TimeRange | None:
    """Make the clip as long as its processed media; returns the new range (None: nothing to fit to)."""
    fitted = processed_range(project, clip)
    if fitted is not None:
        clip.source_range = fitted
    return fitted


def run_postfx(
    project: Project, job: PostJob, progress: ProgressCallback | None = None, cancel: CancelToken | None = None
) -> Path:
    """Build the job's missing stages in order; returns the processed media.  Touches no project state."""
    cancel = cancel or CancelToken()
    source = job.source
    for stage in job.stages:
        if not stage.done:
            _build_stage(project, job, stage, source, progress, cancel)
        source = stage.path
    return job.media


def run_postfx_jobs(
    project: Project,
    jobs: list[PostJob],
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    on_job: Callable[[int, int, PostJob], None] | None = None,
) -> list[Path]:
    cancel = cancel or CancelToken()
    built = []
    for index, job in enumerate(jobs):
        cancel.raise_if_cancelled()
        if on_job is not None:
            on_job(index, len(jobs), job)
        built.append(run_postfx(project, job, progress, cancel))
    return built


def _build_stage(
    project: Project, job: PostJob, stage: Stage, source: Path, progress: ProgressCallback | None, cancel: CancelToken
) -> None:
    info = probe(source)
    expected = stage.processor.shape(stage.effect, info)
    stage_input = StageInput(job.clip, source, info, stage.effect, stage.model, stage.reference)
    writer = VideoWriter(stage.path, rate=expected.rate)
    name = f"{POSTFX_STAGE}:{stage.effect.kind}"
    try:
        for frame in stage.processor.process(stage_input, cancel):
            cancel.raise_if_cancelled()
            writer.write(frame)
            if progress is not None:
                progress(Progress(job.clip, name, writer.frames_written, expected.frames))
        if writer.frames_written == 0:
            raise ProjectError(Problem(f"{stage.effect.kind} produced no frames", clip=job.clip, field="effects"))
        record = _record(job, stage, source, info, expected, writer.frames_written)
        write_text_atomic(stage.path.with_suffix(".json"), json.dumps(record, indent=2, sort_keys=True))
        writer.close()  # last: the mp4 under its final name marks a finished stage
    except BaseException:
        writer.abort()
        raise


def _record(
    job: PostJob, stage: Stage, source: Path, info: VideoInfo, expected: VideoInfo, frames: int
) -> dict[str, Any]:
    return {
        "clip": job.clip,
        "take": job.take,
        "effect": stage.effect.identity(),
        "processor": [stage.processor.id, stage.processor.version],
        "input": source.name,
        "input_frames": info.frames,
        "frames": frames,
        "expected_frames": expected.frames,
        "rate": expected.rate,
        "size": [expected.width, expected.height],
        "model": str(stage.model) if stage.model else None,
    }


def _model(project: Project, clip: otio.schema.Clip, effect: PostEffect) -> Path | None:
    if effect.kind != "upscale" or effect.settings["model"] == BUILTIN_MODEL:
        return None
    path = project.resolve(effect.settings["model"])
    if path.suffix.lower() not in (".pth", ".safetensors") or not path.is_file():
        raise ProjectError(
            Problem(
                f"upscaler weights not found: {path} (a .pth or .safetensors file you have; nothing is downloaded)",
                file=project.path,
                clip=clip.name,
                field="upscale.model",
            )
        )
    return path


def _reference(project: Project, clip: otio.schema.Clip, effect: PostEffect) -> Path | None:
    if effect.kind != "colormatch":
        return None
    name = effect.settings["reference"]
    other = next((c for c in project.generated_clips() if c.name == name), None)
    take = active_take(other) if other is not None else None
    path = project.take_file(take.media) if take is not None else None
    if path is None or not path.is_file() or name == clip.name:
        raise ProjectError(
            Problem(
                f"colour-match reference {name!r} is not another clip with a rendered take",
                file=project.path,
                clip=clip.name,
                field="colormatch.reference",
            )
        )
    return path


def _digest(payload: dict[str, Any]) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_LENGTH]
