"""Conform: the whole timeline to one H.264 mp4 at the timeline rate.

Which clip each frame shows is ``engine.composition`` (the viewer's answer too): tracks stack, the top
one wins; each generated clip shows its active take, trimmed by its ``source_range``; plain OTIO clips
with an ``ExternalReference`` show their file; gaps are black; a ``Transition`` cross-dissolves, holding
a take's last (or first) frame where it has no handle frames.
Frames of other sizes are scaled to fit the output and letterboxed.  A clip with post-processing
effects shows its processed media (``postfx``) when built, else its take with a warning.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import numpy as np
import opentimelineio as otio

from fp_timeline.engine.composition import Composition, Shot, compose, dissolve, external_media, fit_frame
from fp_timeline.engine.generator import CancelToken, Progress
from fp_timeline.engine.identity import versions_for
from fp_timeline.engine.media import FrameReader, VideoWriter, probe
from fp_timeline.engine.postfx.jobs import postfx_job
from fp_timeline.project.document import Project
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.hashing import recipe_hashes
from fp_timeline.project.recipe import METADATA_KEY
from fp_timeline.project.takes import active_take

CONFORM = "conform"  # Progress.clip/stage value of conform reports
OPEN_READERS = 4  # shots read at once: the one shown, both sides of a dissolve, an upper track


@dataclass(frozen=True)
class ConformResult:
    path: Path
    frames: int
    rate: float
    width: int
    height: int
    warnings: list[str] = field(default_factory=list)


def conform_timeline(
    project: Project,
    out_path: Path,
    *,
    size: tuple[int, int] | None = None,
    allow_missing: bool = False,
    progress: Callable[[Progress], None] | None = None,
    cancel: CancelToken | None = None,
    options: dict[str, Any] | None = None,
) -> ConformResult:
    """Write the timeline to ``out_path``; raises ``ProjectError`` listing clips without media.

    ``options`` are the render options the stale warnings are judged by (which model renders).
    """
    cancel = cancel or CancelToken()
    refuse_output(project, Path(out_path))
    rate = project.rate
    warnings: list[str] = []
    hashes = recipe_hashes(project, versions_for(options))
    # A track switched off in the editor (OTIO ``enabled`` False) is not in the movie.
    composition = compose(project)
    media = {shot: _media_of(project, shot.clip, hashes, warnings) for shot in composition.shots}
    missing = [shot.name for shot, path in media.items() if path is None]
    if missing and not allow_missing:
        raise ProjectError(
            [Problem("no rendered take or media to show (render it first)", file=project.path, clip=n) for n in missing]
        )
    warnings += [f"clip {n!r} has no media; shown as black" for n in missing]
    total = composition.frames
    if total == 0:
        raise ProjectError(Problem("the timeline is empty: nothing to conform", file=project.path))
    sizes = {shot: _readable(project, shot.name, path) for shot, path in media.items() if path is not None}
    width, height = size or composition.movie_size(sizes.get) or (640, 360)
    footage = _Footage(width, height, media)
    writer = VideoWriter(Path(out_path), rate=rate)
    try:
        for n in range(total):
            cancel.raise_if_cancelled()
            writer.write(_frame_at(n, composition, footage))
            if progress is not None:
                progress(Progress(CONFORM, CONFORM, n + 1, total))
        writer.close()
    except (av.error.FFmpegError, ValueError, OSError) as err:
        writer.abort()
        raise ProjectError(Problem(f"conform failed: {err}", file=Path(out_path))) from None
    except BaseException:
        writer.abort()
        raise
    finally:
        footage.close()
    return ConformResult(Path(out_path), total, rate, width, height, warnings)


def _media_of(project: Project, clip: otio.schema.Clip, hashes: dict[str, str], warnings: list[str]) -> Path | None:
    if METADATA_KEY in clip.metadata:
        take = active_take(clip)
        if take is None:
            return None
        if take.recipe_hash != hashes.get(clip.name):
            warnings.append(f"clip {clip.name!r} is stale: showing {take.key}, made from an older recipe")
        path = project.take_file(take.media)  # None outside the project folder: never read, shown missing
        processed = _processed(project, clip, warnings)
        if processed is not None:
            return processed
        return path if path is not None and path.is_file() else None
    return external_media(project, clip)


def _processed(project: Project, clip: otio.schema.Clip, warnings: list[str]) -> Path | None:
    try:
        job = postfx_job(project, clip)
    except ProjectError as err:
        warnings += [f"clip {clip.name!r}: effects not applied: {p.message}" for p in err.problems]
        return None
    if job is not None and not job.done:
        warnings.append(f"clip {clip.name!r}: effects not processed yet; showing the unprocessed take")
    return job.media if job is not None and job.done else None


def refuse_output(project: Project, out_path: Path) -> None:
    """The output must be a new or plain file in an existing, writable folder, and not the project's own."""
    target = out_path.resolve()
    problem = None
    if target.is_dir():
        problem = "is a folder; give a file name such as movie.mp4"
    elif not target.parent.is_dir():
        problem = f"the folder {target.parent} does not exist"
    elif not os.access(target.parent, os.W_OK):
        problem = f"cannot write into the folder {target.parent} (permission denied)"
    elif target.exists() and not target.is_file():
        problem = "exists and is not a plain file"
    elif target == project.path or project.inside(target):
        problem = "would overwrite the project or its renders; choose a file outside the project folder"
    if problem is not None:
        raise ProjectError(Problem(problem, file=out_path, field="output"))


def _readable(project: Project, name: str, media: Path) -> tuple[int, int]:
    """The shot's media size, or a clear error when the file is not a video we can read (corrupt, empty)."""
    try:
        info = probe(media)
    except (av.error.FFmpegError, IndexError, ValueError, OSError) as err:
        message = f"cannot read its media {media}: {err}"
        raise ProjectError(Problem(message, file=project.path, clip=name)) from None
    if info.width <= 0 or info.height <= 0 or info.frames <= 0:
        raise ProjectError(Problem(f"its media {media} holds no frames", file=project.path, clip=name))
    return info.width, info.height


def _frame_at(n: int, composition: Composition, footage: _Footage) -> np.ndarray:
    mix = composition.at(n)
    if mix is None:
        return footage.black
    if not mix.dissolve:
        return footage.sample(mix.outgoing, n)
    return dissolve(footage.sample(mix.outgoing, n), footage.sample(mix.incoming, n), mix.weight)


class _Footage:
    """Readers for the shots in view (a few, each holding one decoded frame), fitted to the output."""

    def __init__(self, width: int, height: int, media: dict[Shot, Path | None]) -> None:
        self.width, self.height = width, height
        self.media = media
        self.black = np.zeros((height, width, 3), dtype=np.uint8)
        self._readers: OrderedDict[Shot, FrameReader] = OrderedDict()

    def sample(self, shot: Shot | None, n: int) -> np.ndarray:
        if shot is None or self.media.get(shot) is None:
            return self.black
        reader = self._reader(shot)
        # Outside the media (dissolve handles) the reader holds the first/last frame.
        return fit_frame(reader.frame(shot.media_frame(n, reader.rate)), self.width, self.height)

    def close(self) -> None:
        for reader in self._readers.values():
            reader.close()
        self._readers.clear()

    def _reader(self, shot: Shot) -> FrameReader:
        # One reader per shot, not per file: two shots of one file each read forward.
        if shot in self._readers:
            self._readers.move_to_end(shot)
        else:
            self._readers[shot] = FrameReader(self.media[shot])
            if len(self._readers) > OPEN_READERS:
                self._readers.popitem(last=False)[1].close()
        return self._readers[shot]
