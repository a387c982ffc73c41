"""What the viewer shows at a timeline frame: the active take's frame, or the start image when the
clip is not rendered yet, with a caption naming the clip and its state."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QImage

from fp_timeline.project.document import Project
from fp_timeline.project.takes import active_take
from fp_timeline.ui.media_frames import FrameCache
from fp_timeline.ui.timeline_layout import Block, TimelineLayout


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
        for blocks in reversed(layout.tracks):
            for block in blocks:
                if block.kind == "clip" and block.start <= seconds < block.end:
                    return block
        return None

    def frame(self, project: Project, layout: TimelineLayout, seconds: float) -> ViewerFrame:
        block = self.block_at(layout, seconds)
        if block is None:
            return ViewerFrame(None, None, "", False, has_clips=bool(layout.clips()))
        clip = project.clip(block.name)
        take = active_take(clip)
        if take is not None:
            index = block.in_frame + int((seconds - block.start) * block.rate + 1e-6)
            image = self.cache.frame(project.resolve(take.media), index)
            if image is not None:
                return ViewerFrame(image, block.name, block.state, True)
        placeholder = QImage(str(block.thumbnail)) if block.thumbnail is not None else None
        if placeholder is not None and placeholder.isNull():
            placeholder = None
        return ViewerFrame(placeholder, block.name, block.state, False)
