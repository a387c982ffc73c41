"""Video files with PyAV: an H.264 writer that is a ``FrameSink``, a frame reader and a probe.

Every mp4 we write is H.264 / yuv420p in an mp4 container, the combination every player opens.
The writer encodes to a hidden temporary name and renames on ``close()``, so a killed render never
leaves a half-written file under the final name.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections import deque
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from fp_timeline.engine.x264_cpu import x264_params
from fp_timeline.project.timing import rate_fraction

CODEC = "libx264"
PIXEL_FORMAT = "yuv420p"
DEFAULT_CRF = 18  # visually lossless for previews and generated clips
# The same frames must give the same bytes (a take rendered on Ray is compared with a local one): one
# thread, so x264's decisions do not depend on thread timing, and no AVX-512 (see ``x264_cpu``).
ENCODER_OPTIONS = {"threads": "1"}


def encoder_options(crf: int) -> dict[str, str]:
    """libx264's options for the writer."""
    options = ENCODER_OPTIONS | {"crf": str(crf)}
    params = x264_params()
    if params:
        options["x264-params"] = params
    return options


@dataclass(frozen=True)
class VideoInfo:
    frames: int
    rate: float
    width: int
    height: int


def even_size(width: int, height: int) -> tuple[int, int]:
    """yuv420p subsamples chroma 2x2, so both dimensions must be even: round up by padding."""
    return width + width % 2, height + height % 2


class VideoWriter:
    """Writes (H, W, 3) uint8 RGB frames to an H.264 mp4; the file appears only on ``close()``."""

    def __init__(self, path: Path, rate: float, crf: int = DEFAULT_CRF) -> None:
        self.path = Path(path)
        self.rate = rate
        self._tmp = self.path.with_name(f".{self.path.stem}.partial{self.path.suffix}")
        self._crf = crf
        self._container: av.container.OutputContainer | None = None
        self._stream = None
        self._size: tuple[int, int] | None = None
        self._count = 0

    @property
    def frames_written(self) -> int:
        return self._count

    def write(self, frame: np.ndarray) -> None:
        frame = np.ascontiguousarray(frame, dtype=np.uint8)
        if frame.ndim != 3 or frame.shape[2] != 3:
            raise ValueError(f"expected an (H, W, 3) RGB frame, got shape {frame.shape}")
        height, width = frame.shape[:2]
        if self._container is None:
            self._open(width, height)
        if (width, height) != self._size:
            raise ValueError(f"frame size changed from {self._size} to {(width, height)}")
        padded = _pad_even(frame)
        video_frame = av.VideoFrame.from_ndarray(padded, format="rgb24")
        for packet in self._stream.encode(video_frame):
            self._container.mux(packet)
        self._count += 1

    def close(self) -> Path:
        """Flush, close and move the file to its final name; returns that name."""
        if self._container is None:
            raise ValueError(f"no frames were written to {self.path}")
        for packet in self._stream.encode():
            self._container.mux(packet)
        self._container.close()
        self._container = None
        os.replace(self._tmp, self.path)
        return self.path

    def abort(self) -> None:
        """Drop the partial file (on failure or cancel)."""
        if self._container is not None:
            with contextlib.suppress(Exception):
                self._container.close()
            self._container = None
        with contextlib.suppress(FileNotFoundError):
            self._tmp.unlink()

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def _open(self, width: int, height: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._size = (width, height)
        # faststart: the index goes first, so players (and browsers) start before the whole file loads.
        self._container = av.open(str(self._tmp), mode="w", format="mp4", options={"movflags": "faststart"})
        stream = self._container.add_stream(CODEC, rate=rate_fraction(self.rate))
        stream.width, stream.height = even_size(width, height)
        stream.pix_fmt = PIXEL_FORMAT
        stream.codec_context.options = encoder_options(self._crf)
        self._stream = stream


def _pad_even(frame: np.ndarray) -> np.ndarray:
    height, width = frame.shape[:2]
    if height % 2 == 0 and width % 2 == 0:
        return frame
    # Repeat the last row/column rather than adding black: invisible after cropping in a player.
    return np.pad(frame, ((0, height % 2), (0, width % 2), (0, 0)), mode="edge")


def iter_frames(path: Path) -> Generator[np.ndarray, None, None]:
    """Every frame of the first video stream as (H, W, 3) uint8 RGB, in order."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            yield frame.to_ndarray(format="rgb24")


def read_frames(path: Path, last: int | None = None, end: int | None = None) -> np.ndarray:
    """The frames before frame ``end`` (None: all), or only the ``last`` n of them, as one
    (T, H, W, 3) uint8 array."""
    frames = deque(itertools.islice(iter_frames(path), end), maxlen=last)
    if not frames:
        raise ValueError(f"{path}: no video frames")
    return np.stack(frames)


def probe(path: Path, count: bool = True) -> VideoInfo:
    """Frame count, rate and size of a video's first stream (counts by decoding when the container does
    not say, unless ``count`` is False: then ``frames`` is 0 for such a file)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        rate = float(stream.average_rate or stream.base_rate or 0)
        frames = stream.frames or (sum(1 for _ in container.decode(stream)) if count else 0)
        return VideoInfo(frames=frames, rate=rate, width=stream.width, height=stream.height)


class FrameReader:
    """Frames by index, decoded forward (``iter_frames``) and one held in memory; going back reopens
    the file.

    Conform and viewers read a take mostly front to back, so this keeps memory at one frame however
    long the take is.  Indexes past either end give the first or last frame (a held frame).  With
    ``count`` False a file whose container does not say its length is not decoded up front to count it
    (``frames`` is None until the end is reached).
    """

    def __init__(self, path: Path, count: bool = True) -> None:
        self.path = Path(path)
        info = probe(self.path, count)
        self.frames: int | None = info.frames if count or info.frames else None
        self.rate = info.rate
        self._decoded: Generator[np.ndarray, None, None] | None = None
        self._index = -1
        self._frame: np.ndarray | None = None

    def frame(self, index: int) -> np.ndarray:
        index = max(index, 0) if self.frames is None else min(max(index, 0), self.frames - 1)
        if self._decoded is None or index < self._index:
            self.close()
            self._decoded = iter_frames(self.path)
        while self._index < index:
            try:
                self._frame = next(self._decoded)
            except StopIteration:  # the container promised more frames than it has
                self.frames = self._index + 1
                break
            self._index += 1
        if self._frame is None:
            raise ValueError(f"{self.path}: no video frames")
        return self._frame

    def close(self) -> None:
        if self._decoded is not None:
            self._decoded.close()  # a generator: closing it closes the container
        self._decoded, self._index = None, -1
