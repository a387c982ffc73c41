"""Continue a video not made here: encode an imported clip's last frames into a packed context.

The same serves a clip another generator made (an F1 clip after an animatic one): its take's last
frames, up to the end of the generation, are encoded like an imported video's.
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
from fp_timeline.project.recipe import METADATA_KEY
from fp_timeline.project.takes import takes_of

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
    return _frames_before(project, path, end, clip.name, count)


def _frames_before(project: Project, path, end: int | None, clip: str, count: int = MAX_FRAMES) -> np.ndarray:
    """Up to ``count`` frames of ``path`` before frame ``end`` (None: the last ones), oldest first."""
    kept: deque[np.ndarray] = deque(maxlen=count)
    for index, frame in enumerate(iter_frames(path)):
        if end is not None and index >= end:
            break
        kept.append(frame)
    if not kept:
        raise ProjectError(Problem(f"no frames before the out point in {path}", file=project.path, clip=clip))
    return np.stack(kept)


def _is_file(path) -> bool:
    return path is not None and path.is_file()
