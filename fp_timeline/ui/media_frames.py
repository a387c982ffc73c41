"""Frames of takes for the viewer and thumbnails, decoded with PyAV (``engine.media``), cached.

Takes are short clips, so a take is decoded once, whole, and kept in a small LRU: scrubbing and
playing back then cost one array-to-QImage copy per frame.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

from fp_timeline.engine.media import iter_frames

CACHED_TAKES = 8


def qimage_from_rgb(array: np.ndarray) -> QImage:
    """An (H, W, 3) uint8 RGB array as a QImage that owns its pixels."""
    array = np.ascontiguousarray(array)
    height, width = array.shape[:2]
    return QImage(array.data, width, height, 3 * width, QImage.Format_RGB888).copy()


class FrameCache:
    """Decoded takes by (path, mtime); ``frame(path, i)`` clamps ``i`` to the take's length."""

    def __init__(self, capacity: int = CACHED_TAKES) -> None:
        self._capacity = capacity
        self._takes: OrderedDict[tuple[str, int], list[np.ndarray]] = OrderedDict()

    def frames(self, path: Path) -> list[np.ndarray]:
        try:
            key = (str(path), path.stat().st_mtime_ns)
        except OSError:
            return []
        if key in self._takes:
            self._takes.move_to_end(key)
            return self._takes[key]
        try:
            frames = list(iter_frames(path))
        except Exception:  # a broken or half-written file: show nothing rather than crash the UI
            frames = []
        self._takes[key] = frames
        while len(self._takes) > self._capacity:
            self._takes.popitem(last=False)
        return frames

    def frame(self, path: Path, index: int) -> QImage | None:
        frames = self.frames(path)
        if not frames:
            return None
        return qimage_from_rgb(frames[max(0, min(index, len(frames) - 1))])


def first_frame(path: Path) -> QImage | None:
    """The first frame of a video without decoding the rest."""
    try:
        for array in iter_frames(path):
            return qimage_from_rgb(array)
    except Exception:
        return None
    return None
