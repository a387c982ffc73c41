"""Continue a video not made here: encode an imported clip's last frames into a packed context.

Needs a generator that implements ``VideoContextEncoder``.  The context is cached per (clip, video
identity up to its out point, generator) in ``<stem>.fp/imported/``, so it is encoded once.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

import numpy as np
import opentimelineio as otio

from fp_timeline.engine import registry
from fp_timeline.engine.generator import ContextBlob, Progress, ProgressCallback, VideoContextEncoder
from fp_timeline.engine.media import iter_frames, probe
from fp_timeline.engine.planner import PlannedJob, find_clip
from fp_timeline.engine.store import imported_context
from fp_timeline.project.document import Project
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.media_url import media_file

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
    frames = last_frames(project, find_clip(project, job.upstream))
    if progress is not None:
        progress(
            Progress(job.clip, "encode", 0, 0, message=f"encoding the last {len(frames)} frames of {job.upstream}")
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    blob = generator.context_from_frames(frames, job.recipe, path, dict(options))
    return ContextBlob(path=blob.path, hash=job.upstream_hash, metadata=dict(blob.metadata))


def last_frames(project: Project, clip: otio.schema.Clip, count: int = MAX_FRAMES) -> np.ndarray:
    """Up to ``count`` frames ending at the clip's out point, (T, H, W, 3) uint8, oldest first."""
    ref = clip.media_reference
    if not isinstance(ref, otio.schema.ExternalReference) or not ref.target_url:
        raise ProjectError(Problem("has no video file to continue", file=project.path, clip=clip.name))
    path = media_file(project.folder, ref.target_url)
    if not path.is_file():
        raise ProjectError(Problem(f"video not found: {path}", file=project.path, clip=clip.name))
    available = ref.available_range
    offset = available.start_time.to_seconds() if available is not None else 0.0
    out_point = clip.trimmed_range().end_time_exclusive().to_seconds() - offset
    end = math.floor(out_point * probe(path).rate + 1e-6)  # frames [0, end) are before the out point
    kept: deque[np.ndarray] = deque(maxlen=count)
    for index, frame in enumerate(iter_frames(path)):
        if index >= end:
            break
        kept.append(frame)
    if not kept:
        raise ProjectError(Problem(f"no frames before the out point in {path}", file=project.path, clip=clip.name))
    return np.stack(kept)
