"""Continue a video not made here: encode an imported clip's last frames into a packed context.

The same serves a clip another generator made (an F1 clip after an animatic one): its take's last
frames, up to the end of the generation, are encoded like an imported video's.
Needs a generator that implements ``VideoContextEncoder``.  The context is cached per (clip, video
identity up to its out point, generator) in ``<stem>.fp/imported/``, so it is encoded once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import opentimelineio as otio

from fp_timeline.engine import registry
from fp_timeline.engine.generator import ContextBlob, Progress, ProgressCallback, VideoContextEncoder
from fp_timeline.engine.media import probe, read_frames
from fp_timeline.engine.planner import PlannedJob, find_clip
from fp_timeline.engine.store import imported_context
from fp_timeline.project.document import Project
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.media_url import media_file
from fp_timeline.project.recipe import METADATA_KEY
from fp_timeline.project.takes import takes_of
from fp_timeline.project.timing import RationalTime, frame_at

MAX_FRAMES = 121  # more than any packed history holds (F1: 73 frames); the generator keeps what it needs


def encode_imported_upstream(
    project: Project, job: PlannedJob, options: dict[str, Any], progress: ProgressCallback | None = None
) -> ContextBlob:
    """The incoming context of ``job`` from its imported upstream clip, encoding it if not cached."""
    assert job.upstream is not None and job.upstream_hash is not None
    path = imported_context(project, job.upstream, job.upstream_hash, job.recipe.generator, options)
    if path.is_file():
        return ContextBlob(path=path, hash=job.upstream_hash)
    generator = registry.load_generator(job.recipe.generator)
    if not isinstance(generator, VideoContextEncoder):
        raise ProjectError(
            Problem(
                f"generator {job.recipe.generator!r} cannot continue a video it did not make",
                file=project.path,
                clip=job.clip,
            )
        )
    upstream = find_clip(project, job.upstream)
    if METADATA_KEY in upstream.metadata:  # made by another generator: its take for the hash planned
        frames = take_last_frames(project, upstream, job.upstream_hash)
    else:
        frames = last_frames(project, upstream)
    if progress is not None:
        progress(
            Progress(job.clip, "encode", 0, 0, message=f"encoding the last {len(frames)} frames of {job.upstream}")
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    blob = generator.context_from_frames(frames, job.recipe, path, dict(options))
    return ContextBlob(path=blob.path, hash=job.upstream_hash, metadata=dict(blob.metadata))


def take_last_frames(project: Project, clip: otio.schema.Clip, recipe_hash: str) -> np.ndarray:
    """The last frames of the generated clip's take made from ``recipe_hash``: the end of the generation,
    not the out point (a carried clip continues from the untrimmed end)."""
    takes = [t for t in takes_of(clip) if t.recipe_hash == recipe_hash and _is_file(project.take_file(t.media))]
    if not takes:
        raise ProjectError(
            Problem("has no rendered take for its current recipe to continue; render it first", clip=clip.name)
        )
    active = [t for t in takes if t.key == clip.active_media_reference_key]
    return _frames_before(project, project.resolve((active or takes)[-1].media), None, clip.name)


def last_frames(project: Project, clip: otio.schema.Clip, count: int = MAX_FRAMES) -> np.ndarray:
    """Up to ``count`` frames ending at the clip's out point, (T, H, W, 3) uint8, oldest first."""
    out_point = clip.trimmed_range().end_time_exclusive()
    path, end = video_frame_at(project, clip, out_point, "has no video file to continue")
    return _frames_before(project, path, end, clip.name, count)  # frames [0, end) are before the out point


def video_frame_at(project: Project, clip: otio.schema.Clip, time: RationalTime, no_video: str) -> tuple[Path, int]:
    """The clip's video file and the index of its frame showing at ``time`` (a time in the clip's media,
    as ``source_range`` counts it); ``no_video`` says what is missing when the clip has no file."""
    ref = clip.media_reference
    if not isinstance(ref, otio.schema.ExternalReference) or not ref.target_url:
        raise ProjectError(Problem(no_video, file=project.path, clip=clip.name))
    path = media_file(project.folder, ref.target_url)
    if not path.is_file():
        raise ProjectError(Problem(f"video not found: {path}", file=project.path, clip=clip.name))
    origin = ref.available_range.start_time if ref.available_range is not None else None
    return path, frame_at(time, probe(path).rate, origin)


def _frames_before(project: Project, path: Path, end: int | None, clip: str, count: int = MAX_FRAMES) -> np.ndarray:
    """Up to ``count`` frames of ``path`` before frame ``end`` (None: the last ones), oldest first."""
    try:
        return read_frames(path, last=count, end=None if end is None else max(0, end))
    except ValueError:
        raise ProjectError(Problem(f"no frames before the out point in {path}", file=project.path, clip=clip)) from None


def _is_file(path) -> bool:
    return path is not None and path.is_file()
