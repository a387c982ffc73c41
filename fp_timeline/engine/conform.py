"""Conform: the whole timeline to one H.264 mp4 at the timeline rate.

Video tracks are stacked: where several tracks have a clip, the top one (last in the stack) shows.
Each generated clip shows its active take, trimmed by its ``source_range``; plain OTIO clips with an
``ExternalReference`` show their file; gaps are black.  An OTIO ``Transition`` (cross-dissolve)
spans ``in_offset`` before the cut and ``out_offset`` after it; where a take has no handle frames
past its end (or before its start), its last (or first) frame is held during the dissolve.
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
from PIL import Image

from fp_timeline.engine.generator import CancelToken, Progress
from fp_timeline.engine.identity import versions_for
from fp_timeline.engine.media import FrameReader, VideoWriter, probe
from fp_timeline.engine.postfx.jobs import postfx_job
from fp_timeline.project.document import Project
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.hashing import recipe_hashes
from fp_timeline.project.media_url import media_file
from fp_timeline.project.recipe import METADATA_KEY
from fp_timeline.project.takes import active_take
from fp_timeline.project.timing import RationalTime, frame_at, nearest_frame

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


@dataclass(frozen=True, eq=False)  # one reader per shot: shots are told apart by identity
class _Shot:
    """A clip placed on the output frame grid: frames [start, end) come from ``media``."""

    name: str
    start: int
    end: int
    media: Path | None  # None: missing, shown black
    source_in: RationalTime  # the media time shown at ``start`` (``source_range``'s start)
    origin: RationalTime | None  # the media time of the file's first frame (``available_range``'s start)


@dataclass(frozen=True)
class _Dissolve:
    start: int
    end: int
    out_shot: _Shot | None  # None: dissolving from/to a gap (black)
    in_shot: _Shot | None


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
    layers = [_layer(project, track, rate, hashes, warnings) for track in project.tracks() if track.enabled]
    shots = [s for shots, _ in layers for s in shots]
    missing = [s.name for s in shots if s.media is None]
    if missing and not allow_missing:
        raise ProjectError(
            [Problem("no rendered take or media to show (render it first)", file=project.path, clip=n) for n in missing]
        )
    warnings += [f"clip {n!r} has no media; shown as black" for n in missing]
    total = max((s.end for s in shots), default=0)
    if total == 0:
        raise ProjectError(Problem("the timeline is empty: nothing to conform", file=project.path))
    sizes = [_readable(project, shot) for shot in shots if shot.media is not None]
    width, height = size or (sizes[0] if sizes else (640, 360))
    footage = _Footage(width, height)
    writer = VideoWriter(Path(out_path), rate=rate)
    try:
        for n in range(total):
            cancel.raise_if_cancelled()
            writer.write(_frame_at(n, layers, footage, rate))
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


def _layer(
    project: Project, track: otio.schema.Track, rate: float, hashes: dict[str, str], warnings: list[str]
) -> tuple[list[_Shot], list[_Dissolve]]:
    shots: list[_Shot] = []
    placed: dict[int, _Shot] = {}
    for index, item in enumerate(track):
        if isinstance(item, otio.schema.Clip):
            span = track.range_of_child_at_index(index)
            source = item.trimmed_range()
            available = item.media_reference.available_range
            shot = _Shot(
                name=item.name,
                start=nearest_frame(span.start_time, rate),
                end=nearest_frame(span.end_time_exclusive(), rate),
                media=_media_of(project, item, hashes, warnings),
                source_in=source.start_time,
                origin=available.start_time if available is not None else None,
            )
            shots.append(shot)
            placed[index] = shot
    dissolves = []
    for index, item in enumerate(track):
        if isinstance(item, otio.schema.Transition):
            span = track.range_of_child_at_index(index)
            dissolves.append(
                _Dissolve(
                    start=nearest_frame(span.start_time, rate),
                    end=nearest_frame(span.end_time_exclusive(), rate),
                    out_shot=placed.get(index - 1),
                    in_shot=placed.get(index + 1),
                )
            )
    return shots, dissolves


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
    else:
        ref = clip.media_reference
        if not isinstance(ref, otio.schema.ExternalReference) or not ref.target_url:
            return None
        path = media_file(project.folder, ref.target_url)
    return path if path is not None and path.is_file() else None


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


def _readable(project: Project, shot: _Shot) -> tuple[int, int]:
    """The shot's media size, or a clear error when the file is not a video we can read (corrupt, empty)."""
    try:
        info = probe(shot.media)
    except (av.error.FFmpegError, IndexError, ValueError, OSError) as err:
        message = f"cannot read its media {shot.media}: {err}"
        raise ProjectError(Problem(message, file=project.path, clip=shot.name)) from None
    if info.width <= 0 or info.height <= 0 or info.frames <= 0:
        raise ProjectError(Problem(f"its media {shot.media} holds no frames", file=project.path, clip=shot.name))
    return info.width, info.height


def _frame_at(n: int, layers: list[tuple[list[_Shot], list[_Dissolve]]], footage: _Footage, rate: float) -> np.ndarray:
    for shots, dissolves in reversed(layers):  # the top track wins
        for dissolve in dissolves:
            if dissolve.start <= n < dissolve.end:
                # Frame k of an L-frame dissolve shows (k + 0.5) / L of the incoming shot.
                weight = (n - dissolve.start + 0.5) / (dissolve.end - dissolve.start)
                a = footage.sample(dissolve.out_shot, n, rate)
                b = footage.sample(dissolve.in_shot, n, rate)
                return np.round(a * (1 - weight) + b * weight).astype(np.uint8)
        for shot in shots:
            if shot.start <= n < shot.end:
                return footage.sample(shot, n, rate).astype(np.uint8)
    return footage.black.astype(np.uint8)


class _Footage:
    """Readers for the shots in view (a few, each holding one decoded frame), fitted to the output."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.black = np.zeros((height, width, 3), dtype=np.float32)
        self._readers: OrderedDict[_Shot, FrameReader] = OrderedDict()

    def sample(self, shot: _Shot | None, n: int, rate: float) -> np.ndarray:
        if shot is None or shot.media is None:
            return self.black
        reader = self._reader(shot)
        # Media time -> frame; outside the media (dissolve handles) the reader holds the first/last frame.
        index = frame_at(shot.source_in, reader.rate, shot.origin, RationalTime(n - shot.start, rate))
        return self._fit(reader.frame(index)).astype(np.float32)

    def close(self) -> None:
        for reader in self._readers.values():
            reader.close()
        self._readers.clear()

    def _reader(self, shot: _Shot) -> FrameReader:
        # One reader per shot, not per file: two shots of one file each read forward.
        if shot in self._readers:
            self._readers.move_to_end(shot)
        else:
            self._readers[shot] = FrameReader(shot.media)
            if len(self._readers) > OPEN_READERS:
                self._readers.popitem(last=False)[1].close()
        return self._readers[shot]

    def _fit(self, frame: np.ndarray) -> np.ndarray:
        h, w = frame.shape[:2]
        if (w, h) == (self.width, self.height):
            return frame
        scale = min(self.width / w, self.height / h)
        fw, fh = max(1, round(w * scale)), max(1, round(h * scale))
        fitted = np.asarray(Image.fromarray(frame).resize((fw, fh), Image.BILINEAR))
        canvas = np.zeros((self.height, self.width, 3), dtype=np.uint8)
        y0, x0 = (self.height - fh) // 2, (self.width - fw) // 2
        canvas[y0 : y0 + fh, x0 : x0 + fw] = fitted
        return canvas
