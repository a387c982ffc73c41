"""Thumbnails for clip blocks and the inspector: start images and first frames of takes, cached.

Decoding is lazy (on first paint) and cached by (path, modification time, height), so a 2,000-clip
project made from a handful of images loads a handful of pixmaps.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap

from fp_timeline.ui.media_frames import file_version, first_frame


def thumbnail(path: Path | None, height: int) -> QPixmap | None:
    """A pixmap ``height`` pixels high of an image or a video's first frame; None if unreadable."""
    version = file_version(path)
    return _cached(*version, height) if version is not None else None


@lru_cache(maxsize=512)
def _cached(path: str, mtime: int, height: int) -> QPixmap | None:
    image = first_frame(Path(path)) if Path(path).suffix.lower() in VIDEO_SUFFIXES else QImage(path)
    if image is None or image.isNull():
        return None
    return QPixmap.fromImage(image.scaledToHeight(height, Qt.SmoothTransformation))


VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".webm", ".avi"}
