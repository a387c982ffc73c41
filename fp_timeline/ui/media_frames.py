"""Frames of takes for the viewer and thumbnails, decoded with PyAV (``engine.media``), cached.

A take is decoded lazily, in order (``engine.media.FrameReader``, the one sequential decoder), only as
far as the viewer has asked (the first frame shows at once, even for a long 640x640 take), and what was
decoded is kept in an LRU bounded in bytes, so scrubbing back and playing again cost one array-to-QImage
copy per frame.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

from fp_timeline.engine.composition import Shot
from fp_timeline.engine.media import FrameReader, iter_frames

CACHE_BYTES = 1 << 30  # 1 GiB of decoded RGB


def file_version(path: Path | None) -> tuple[str, int] | None:
    """``(path, modification time)``: a cache key that changes when the file does; None if unreadable."""
    if path is None:
        return None
    try:
        return str(path), path.stat().st_mtime_ns
    except OSError:
        return None


def qimage_from_rgb(array: np.ndarray) -> QImage:
    """An (H, W, 3) uint8 RGB array as a QImage that owns its pixels."""
    array = np.ascontiguousarray(array)
    height, width = array.shape[:2]
    return QImage(array.data, width, height, 3 * width, QImage.Format_RGB888).copy()


class _Take:
    """One take's frames decoded so far, and the reader (``engine.media.FrameReader``) to get more."""

    def __init__(self, path: Path) -> None:
        self.frames: list[np.ndarray] = []
        self._reader: FrameReader | None = FrameReader(path, count=False)  # an imported mkv: no decode to count
        self.rate = self._reader.rate

    def get(self, index: int) -> np.ndarray | None:
        index = max(0, index)  # before the first frame: the first frame, held
        while self._reader is not None and len(self.frames) <= index:
            n, known = len(self.frames), self._reader.frames
            try:
                frame = self._reader.frame(n) if known is None or n < known else None
            except Exception:  # a broken or half-written file: show what we have
                frame = None
            if frame is None or (self._reader.frames is not None and n >= self._reader.frames):  # the end
                self._reader.close()
                self._reader = None
                break
            self.frames.append(frame)
        if not self.frames:
            return None
        return self.frames[min(index, len(self.frames) - 1)]

    @property
    def nbytes(self) -> int:
        return sum(f.nbytes for f in self.frames)


class FrameCache:
    """Decoded takes by (path, mtime); a frame index past either end gives the first or last frame."""

    def __init__(self, capacity_bytes: int = CACHE_BYTES) -> None:
        self._capacity = capacity_bytes
        self._takes: OrderedDict[tuple[str, int], _Take] = OrderedDict()

    def shot_array(self, path: Path, shot: Shot, n: int) -> np.ndarray | None:
        """What ``shot`` shows from ``path`` (its take, processed or imported media, at the file's own rate)
        at timeline frame ``n``, as the decoded (H, W, 3) uint8 RGB array; None if it cannot be read."""
        take = self._take(path)
        if take is None:
            return None
        array = take.get(shot.media_frame(n, take.rate))
        self._trim()
        return array

    def _take(self, path: Path) -> _Take | None:
        key = file_version(path)
        if key is None:
            return None
        take = self._takes.get(key)
        if take is None:
            try:
                take = self._takes[key] = _Take(path)
            except Exception:
                return None
        self._takes.move_to_end(key)
        return take

    def _trim(self) -> None:
        while len(self._takes) > 1 and sum(t.nbytes for t in self._takes.values()) > self._capacity:
            self._takes.popitem(last=False)


def first_frame(path: Path) -> QImage | None:
    """The first frame of a video without decoding the rest."""
    try:
        for array in iter_frames(path):
            return qimage_from_rgb(array)
    except Exception:
        return None
    return None
