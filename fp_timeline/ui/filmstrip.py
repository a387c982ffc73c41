"""Filmstrips: a rendered clip zoomed in shows its frames along the block, not one thumbnail.

A take is decoded once per (file version, height) into at most ``MAX_FRAMES`` small pixmaps picked
evenly from its frames; blocks then tile them by time.  Decoding happens on the first paint that
needs it (only blocks wide enough to show a strip ask), and is cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap

from fp_timeline.engine.media import iter_frames
from fp_timeline.ui.media_frames import file_version, qimage_from_rgb

MAX_FRAMES = 48
MIN_BLOCK_WIDTH = 240  # px: narrower blocks keep the single thumbnail


@dataclass(frozen=True)
class Strip:
    pixmaps: tuple[QPixmap, ...]
    step: int  # pixmap i shows take frame i * step

    def at(self, frame: float) -> int:
        """Index of the pixmap showing take frame ``frame`` (or the one before it)."""
        return max(0, min(int(frame // self.step), len(self.pixmaps) - 1))


def filmstrip(path: Path | None, height: int) -> Strip | None:
    version = file_version(path)
    return _decode(*version, height) if version is not None else None


@lru_cache(maxsize=64)
def _decode(path: str, mtime: int, height: int) -> Strip | None:
    try:
        frames = list(iter_frames(Path(path)))
    except Exception:  # a broken or half-written take: the block keeps its thumbnail
        return None
    if not frames:
        return None
    step = max(1, len(frames) // MAX_FRAMES)
    picked = frames[::step][:MAX_FRAMES]
    pixmaps = tuple(
        QPixmap.fromImage(qimage_from_rgb(f).scaledToHeight(height, Qt.SmoothTransformation)) for f in picked
    )
    return Strip(pixmaps, step)
