"""What the viewer shows at a timeline frame: the frame the exported movie has there (``engine.composition``
says which clip(s), which of their frames and what dissolve), from the active take (its processed media
when the clip has effects and they are built) or an imported file; the start image when the clip is not
rendered yet, with a caption naming the clip and its state."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

from fp_timeline.engine.composition import Composition, Mix, Shot, compose, dissolve, external_media, fit_frame
from fp_timeline.project.document import Project
from fp_timeline.project.takes import active_take
from fp_timeline.ui.media_frames import FrameCache, file_version, qimage_from_rgb
from fp_timeline.ui.processed_media import processed_for_viewer
from fp_timeline.ui.timeline_layout import BlockKind, TimelineLayout

PLACEHOLDERS = 8  # start images kept decoded for the viewer (full size, so only a few)
IMPORTED = "imported"  # the state shown for an imported clip (it has no render state)


@dataclass(frozen=True)
class ViewerFrame:
    image: QImage | None
    clip: str | None
    state: str  # the clip's state, "" for a gap
    rendered: bool  # the image is a frame of a take (not a placeholder)
    has_clips: bool = True  # False for an empty timeline (the viewer then says how to start)
    preview: bool = False  # the image is a render-in-progress preview


class FrameSource:
    """The viewer's frames: what ``engine.composition`` says the exported movie shows at a frame."""

    def __init__(self) -> None:
        self.cache = FrameCache()
        self._composed: tuple[Project, TimelineLayout, Composition] | None = None

    def composition(self, project: Project, layout: TimelineLayout) -> Composition:
        """The timeline on its frame grid, made again with each new layout (every edit makes one)."""
        if self._composed is None or self._composed[0] is not project or self._composed[1] is not layout:
            self._composed = (project, layout, compose(project))
        return self._composed[2]

    def mix_at(self, project: Project, layout: TimelineLayout, n: int) -> Mix | None:
        """Which clip(s) timeline frame ``n`` shows (hidden tracks are not in the movie)."""
        return self.composition(project, layout).at(n)

    def frame(self, project: Project, layout: TimelineLayout, n: int) -> ViewerFrame:
        mix = self.mix_at(project, layout, n)
        shot = mix.current(n) if mix is not None else None
        if shot is None:
            has_clips = any(b.kind in (BlockKind.CLIP, BlockKind.OTHER) for track in layout.tracks for b in track)
            return ViewerFrame(None, None, "", False, has_clips=has_clips)
        size = self.movie_size(project, layout)  # once per frame: both sides of a dissolve use it
        if mix.dissolve:
            blended = self._dissolved(project, layout, mix, n, size)
            if blended is not None:
                name, state = _label(layout, shot)
                return ViewerFrame(qimage_from_rgb(blended), name, state, True)
        return self.shot_frame(project, layout, shot, n, size)

    def _dissolved(
        self, project: Project, layout: TimelineLayout, mix: Mix, n: int, size: tuple[int, int] | None
    ) -> np.ndarray | None:
        """The dissolve's picture (a missing side is black), or None when a side's clip is not rendered:
        the current side's own frame or placeholder is shown then."""
        shots = (mix.outgoing, mix.incoming)
        sides = [None if s is None else self._array(project, layout, s, n) for s in shots]
        if any(s is not None and side is None for s, side in zip(shots, sides, strict=True)):
            return None
        width, height = size or _size(next(s for s in sides if s is not None))
        black = np.zeros((height, width, 3), dtype=np.uint8)
        a, b = (black if side is None else fit_frame(side, width, height) for side in sides)
        return dissolve(a, b, mix.weight)

    def shot_frame(
        self, project: Project, layout: TimelineLayout, shot: Shot, n: int, size: tuple[int, int] | None = None
    ) -> ViewerFrame:
        """The shot's media at timeline frame ``n`` (held at its first/last frame outside it): the active
        take (its processed media when built) or an imported file, letterboxed to the movie's size (``size``,
        else ``movie_size``) as the conform does; else the start image as placeholder."""
        block = layout.tracks[shot.track][shot.index]
        array = self._array(project, layout, shot, n)
        image = None
        if array is not None:
            size = size or self.movie_size(project, layout) or _size(array)
            image = qimage_from_rgb(fit_frame(array, *size))
        name, state = _label(layout, shot)
        if image is not None or block.kind is not BlockKind.CLIP:
            return ViewerFrame(image, name, state, image is not None)
        return ViewerFrame(_placeholder(block.thumbnail), name, state, False)

    def movie_size(self, project: Project, layout: TimelineLayout) -> tuple[int, int] | None:
        """(width, height) of the exported movie, by the conform's rule: the first shot's with media."""

        def size_of(shot: Shot) -> tuple[int, int] | None:
            first = self._array(project, layout, shot, shot.start)
            return _size(first) if first is not None else None

        return self.composition(project, layout).movie_size(size_of)

    def _array(self, project: Project, layout: TimelineLayout, shot: Shot, n: int) -> np.ndarray | None:
        media = self._media(project, layout, shot)
        return self.cache.shot_array(media, shot, n) if media is not None else None

    @staticmethod
    def _media(project: Project, layout: TimelineLayout, shot: Shot) -> Path | None:
        """The file the shot shows: an imported clip's, or the active take (processed when built)."""
        if layout.tracks[shot.track][shot.index].kind is not BlockKind.CLIP:
            return external_media(project, shot.clip)
        take = active_take(shot.clip)
        if take is None:
            return None
        return processed_for_viewer(project, shot.clip) or project.resolve(take.media)


def _label(layout: TimelineLayout, shot: Shot) -> tuple[str, str]:
    """The clip name and state the viewer's caption shows for ``shot``."""
    block = layout.tracks[shot.track][shot.index]
    if block.kind is not BlockKind.CLIP:
        return shot.name, IMPORTED
    return block.name, block.state


def _size(array: np.ndarray) -> tuple[int, int]:
    return array.shape[1], array.shape[0]


def _placeholder(path: Path | None) -> QImage | None:
    """An unrendered clip's start image, decoded once per file version (not on every frame of playback)."""
    version = file_version(path)
    return _decoded(*version) if version is not None else None


@lru_cache(maxsize=PLACEHOLDERS)
def _decoded(path: str, mtime: int) -> QImage | None:
    image = QImage(path)
    return None if image.isNull() else image
