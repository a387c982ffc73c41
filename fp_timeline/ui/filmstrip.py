"""Filmstrips: a rendered clip zoomed in shows its frames along the block, not one thumbnail.

A take is decoded once per (file version, height) into at most ``MAX_FRAMES`` small images picked
evenly from its frames.  Decoding runs on a worker thread (a long real take takes a second or two):
until it is done a block keeps its thumbnail, then ``notifier.ready`` asks the timeline to repaint.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QImage, QPixmap

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


class _Notifier(QObject):
    ready = Signal()  # a strip finished decoding: repaint what shows it
    decoded = Signal(object, object, int)  # key, images (or None), step: from the worker thread


notifier = _Notifier()
_strips: dict[tuple, Strip | None] = {}  # key -> strip (None: unreadable)
_pending: set[tuple] = set()


def filmstrip(path: Path | None, height: int) -> Strip | None:
    """The strip for a take at ``height`` px, or None while it decodes (or if it cannot be read)."""
    version = file_version(path)
    if version is None:
        return None
    key = (*version, height)
    if key in _strips:
        return _strips[key]
    if key not in _pending:
        _pending.add(key)
        QThreadPool.globalInstance().start(_Decode(key))
    return None


def _on_decoded(key: tuple, images: list[QImage] | None, step: int) -> None:
    """On the UI thread (QPixmaps are made only there)."""
    _pending.discard(key)
    _strips[key] = Strip(tuple(QPixmap.fromImage(i) for i in images), step) if images else None
    if len(_strips) > 64:  # a bounded cache: drop the oldest
        _strips.pop(next(iter(_strips)))
    notifier.ready.emit()


notifier.decoded.connect(_on_decoded)  # queued onto the UI thread when emitted from the worker


class _Decode(QRunnable):
    def __init__(self, key: tuple) -> None:
        super().__init__()
        self.key = key

    def run(self) -> None:
        path, _, height = self.key
        try:
            frames = list(iter_frames(Path(path)))
        except Exception:  # a broken or half-written take: the block keeps its thumbnail
            frames = []
        step = max(1, len(frames) // MAX_FRAMES)
        images = [
            qimage_from_rgb(f).scaledToHeight(height, Qt.SmoothTransformation) for f in frames[::step][:MAX_FRAMES]
        ]
        notifier.decoded.emit(self.key, images or None, step)
