"""What the viewer shows at a timeline frame: the active take's frame (its processed media when the clip
has effects and they are built), or the start image when the clip is not rendered yet, with a caption
naming the clip and its state."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PySide6.QtGui import QImage, QPainter

from fp_timeline.project.document import Project
from fp_timeline.project.takes import active_take
from fp_timeline.ui.media_frames import FrameCache, file_version
from fp_timeline.ui.processed_media import processed_for_viewer
from fp_timeline.ui.timeline_layout import Block, TimelineLayout, clip_of

PLACEHOLDERS = 8  # start images kept decoded for the viewer (full size, so only a few)


@dataclass(frozen=True)
class ViewerFrame:
    image: QImage | None
    clip: str | None
    state: str  # the clip's state, "" for a gap
    rendered: bool  # the image is a frame of a take (not a placeholder)
    has_clips: bool = True  # False for an empty timeline (the viewer then says how to start)
    preview: bool = False  # the image is a render-in-progress preview


class FrameSource:
    def __init__(self) -> None:
        self.cache = FrameCache()

    def block_at(self, layout: TimelineLayout, seconds: float) -> Block | None:
        """The clip under ``seconds`` on the top-most track that has one (OTIO: later tracks on top)."""
        for t in reversed(range(len(layout.tracks))):
            if t in layout.hidden:
                continue
            for block in layout.tracks[t]:
                if block.kind == "clip" and block.start <= seconds < block.end:
                    return block
        return None

    def frame(self, project: Project, layout: TimelineLayout, seconds: float) -> ViewerFrame:
        block = self.block_at(layout, seconds)
        if block is None:
            return ViewerFrame(None, None, "", False, has_clips=bool(layout.clips()))
        shown = self.clip_frame(project, block, seconds)
        dissolve = self._dissolve_at(layout, block, seconds)
        if dissolve is not None and shown.rendered:
            outgoing, incoming, mix = dissolve
            a = self.clip_frame(project, outgoing, seconds)
            b = self.clip_frame(project, incoming, seconds)
            if a.rendered and b.rendered:
                return ViewerFrame(_blend(a.image, b.image, mix), block.name, block.state, True)
        return shown

    def clip_frame(self, project: Project, block: Block, seconds: float) -> ViewerFrame:
        """The clip's take at ``seconds`` (held at its first/last frame outside it), or its placeholder."""
        clip = clip_of(project, block)
        take = active_take(clip)
        if take is not None:
            media = project.resolve(take.media)
            index = block.in_frame + int((seconds - block.start) * block.rate + 1e-6)
            processed = processed_for_viewer(project, clip)
            if processed is not None:  # maybe at another rate (interpolated): go by time
                media, rate = processed
                index = int((block.in_frame / block.rate + seconds - block.start) * rate + 1e-6)
            image = self.cache.frame(media, max(0, index))
            if image is not None:
                return ViewerFrame(image, block.name, block.state, True)
        return ViewerFrame(_placeholder(block.thumbnail), block.name, block.state, False)

    @staticmethod
    def _dissolve_at(layout: TimelineLayout, block: Block, seconds: float) -> tuple[Block, Block, float] | None:
        """(outgoing clip, incoming clip, 0..1 mix) when ``seconds`` is inside a dissolve on the track."""
        blocks = layout.tracks[block.track]
        for i, item in enumerate(blocks):
            if item.kind != "transition" or not item.start <= seconds < item.end or item.duration <= 0:
                continue
            if 0 < i < len(blocks) - 1 and blocks[i - 1].kind == "clip" and blocks[i + 1].kind == "clip":
                return blocks[i - 1], blocks[i + 1], (seconds - item.start) / item.duration
        return None


def _placeholder(path: Path | None) -> QImage | None:
    """An unrendered clip's start image, decoded once per file version (not on every frame of playback)."""
    version = file_version(path)
    return _decoded(*version) if version is not None else None


@lru_cache(maxsize=PLACEHOLDERS)
def _decoded(path: str, mtime: int) -> QImage | None:
    image = QImage(path)
    return None if image.isNull() else image


def _blend(a: QImage, b: QImage, mix: float) -> QImage:
    """A cross-dissolve: ``b`` over ``a`` at opacity ``mix`` (``b`` scaled to ``a``'s size)."""
    out = a.convertToFormat(QImage.Format_RGB32)
    painter = QPainter(out)
    painter.setOpacity(mix)
    painter.drawImage(out.rect(), b)
    painter.end()
    return out
