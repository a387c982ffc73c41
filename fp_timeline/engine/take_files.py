"""A take's files: the generator writes the mp4 (it appears under its name last, so it marks a complete
take), its record, and its outgoing context; a remote worker's take arrives as bytes (``RenderedClip``)
and ``publish_rendered`` writes it under the names the driver chose (``renderer.prepare_job``).
Checkpoint folders go when the render is done, and empty ones when it fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from fp_timeline.engine.generator import (
    CancelToken,
    ContextBlob,
    Generator,
    ProgressCallback,
    RenderJob,
    RuntimeIdentity,
)
from fp_timeline.engine.leftovers import release_take_key
from fp_timeline.engine.media import VideoWriter
from fp_timeline.engine.planner import PlannedJob
from fp_timeline.engine.store import TakePaths, write_take_record
from fp_timeline.project.atomic import write_bytes_atomic
from fp_timeline.project.document import Project
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.takes import Take


@dataclass(frozen=True)
class PreparedJob:
    """A job made ready on the driver: its take key and files, the generator's ``RenderJob``."""

    job: PlannedJob
    key: str
    paths: TakePaths
    render: RenderJob  # paths on the driver; a remote worker maps them to its own scratch
    identity: RuntimeIdentity  # the model this render uses (checked against the plan)


@dataclass(frozen=True)
class RenderedClip:
    """What a remote generator made: how a take travels from a worker to the driver.

    ``media``/``context`` are the files' bytes, or None when the worker wrote them where the driver
    named them (shared storage): the context at its final name, the mp4 at ``staged_media``.
    """

    clip: str
    media: bytes | None
    context: bytes | None
    frames: int
    context_metadata: dict[str, str]
    generator: dict[str, str]  # {"id", "version"}
    seconds: float
    extras: dict[str, bytes] = field(default_factory=dict)  # other files the generator wrote beside the take


def staged_media(media: Path) -> Path:
    """Where a remote worker writes a take's mp4 before the driver publishes it (hidden, same folder)."""
    return media.with_name(f".{media.stem}.remote{media.suffix}")


def generate(
    generator: Generator,
    render: RenderJob,
    media_path: Path,
    progress: ProgressCallback,
    cancel: CancelToken,
    before_publish: Callable[[ContextBlob, int], None] | None = None,
) -> tuple[ContextBlob, int]:
    """Run the generator into an mp4 at ``media_path``; returns the outgoing context and the frame count.

    The mp4 appears under its name last (after ``before_publish``), so it marks a complete take; on
    any failure neither it nor the outgoing context is left behind.
    """
    writer = VideoWriter(media_path, rate=render.recipe.fps)
    try:
        blob = generator.render(render, writer, progress, cancel)
        if writer.frames_written == 0:
            raise ProjectError(Problem("the generator produced no frames", clip=render.clip))
        cancel.raise_if_cancelled()
        if before_publish is not None:
            before_publish(blob, writer.frames_written)
        writer.close()
    except BaseException:
        writer.abort()
        with contextlib.suppress(FileNotFoundError):
            render.context_path.unlink()
        raise
    return blob, writer.frames_written


def publish_rendered(project: Project, prepared: PreparedJob, rendered: RenderedClip) -> Take:
    """Publish a take a worker made under the names the driver chose: context, record, mp4 last."""
    paths = prepared.paths
    paths.media.parent.mkdir(parents=True, exist_ok=True)
    take = make_take(project, prepared, rendered.frames, now_iso())
    record = take_record(prepared, take, rendered.generator, rendered.context_metadata, rendered.seconds)
    try:
        if rendered.context is not None:
            write_bytes_atomic(paths.context, rendered.context)
        for name, data in rendered.extras.items():  # e.g. F1's take_NNN.sections.safetensors
            write_bytes_atomic(paths.media.parent / Path(name).name, data)
        write_take_record(paths, record)
        if rendered.media is not None:
            write_bytes_atomic(paths.media, rendered.media)
        else:
            os.replace(staged_media(paths.media), paths.media)
    except BaseException:
        for leftover in (paths.context, paths.record, staged_media(paths.media)):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        release_take_key(project, prepared.job.clip, prepared.key)
        raise
    remove_work_dir(prepared.render.work_dir)
    release_take_key(project, prepared.job.clip, prepared.key)
    return take


def make_take(project: Project, prepared: PreparedJob, frames: int, created: str) -> Take:
    return Take(
        key=prepared.key,
        media=project.relative(prepared.paths.media),
        recipe_hash=prepared.job.recipe_hash,
        frames=frames,
        rate=prepared.job.recipe.fps,
        context=project.relative(prepared.paths.context),
        created=created,
        model=prepared.identity.label,
        identity=prepared.identity.digest,
        recipe=prepared.job.recipe.to_metadata(),
    )


def take_record(
    prepared: PreparedJob, take: Take, generator: dict[str, str], context_metadata: dict[str, str], seconds: float
) -> dict[str, Any]:
    """The take's JSON record: what produced it (the driver's paths, whichever machine rendered it)."""
    incoming = prepared.render.incoming
    return {
        "clip": prepared.job.clip,
        "take": take.__dict__,
        "recipe": prepared.job.recipe.to_metadata(),
        "generator": {**generator, "runtime": prepared.identity.fields},
        "options": {k: str(v) for k, v in prepared.render.options.items()},
        "incoming": {"context": str(incoming.path), "hash": incoming.hash} if incoming else None,
        "context_metadata": dict(context_metadata),
        "seconds": round(seconds, 3),
    }


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def remove_work_dir(scratch: Path) -> None:
    """Checkpoints are only useful to resume this exact render, which is now done."""
    shutil.rmtree(scratch, ignore_errors=True)
    with contextlib.suppress(OSError):
        os.rmdir(scratch.parent)  # only when empty


def drop_empty_work_dir(scratch: Path) -> None:
    """After a failure: keep checkpoints for a resume, not empty folders."""
    for folder in (scratch, scratch.parent):
        with contextlib.suppress(OSError):
            folder.rmdir()
