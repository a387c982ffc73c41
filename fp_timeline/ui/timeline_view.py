"""The timeline: tracks of clip blocks in a QGraphicsView, with playhead, zoom, drag and trim.

V1 is the bottom lane and higher tracks sit above it (a higher track wins in the viewer, as in every
NLE).  Mouse gestures live in ``timeline_gestures``; every gesture ends in one
``ProjectDocument.edit`` (one undo step) and refused edits are reported through ``edit_refused``.
Dropping image files adds clips.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView, QMenu, QToolTip

from fp_timeline.engine.registry import snap_frames
from fp_timeline.project import timeline_edits, track_edits
from fp_timeline.project.edits import make_clip, next_clip_name
from fp_timeline.project.errors import ProjectError
from fp_timeline.ui import theme
from fp_timeline.ui.clip_defaults import image_clip_recipe, is_image
from fp_timeline.ui.clip_item import ClipItem, tooltip
from fp_timeline.ui.document import ProjectDocument
from fp_timeline.ui.filmstrip import notifier as filmstrip_notifier
from fp_timeline.ui.timeline_gestures import Gesture, TimelineGestures
from fp_timeline.ui.timeline_layout import BlockKind, TimelineLayout
from fp_timeline.ui.timeline_paint import TimelinePainting, grid_step  # noqa: F401  (the ruler uses it)
from fp_timeline.ui.transport import Transport

TRACK_HEIGHT = 76
TRACK_GAP = 6
MIN_PPS, MAX_PPS = 0.02, 2000.0  # from a 12-hour timeline on one screen to single frames
TAIL = 300  # px of empty timeline after the end, to drop and trim into
PLAYHEAD_MARGIN = 4  # px either side of the playhead line repainted when it moves


class TimelineView(TimelinePainting, TimelineGestures, QGraphicsView):
    edit_refused = Signal(str)
    zoom_changed = Signal(float)
    gap_selection_changed = Signal()

    def __init__(self, document: ProjectDocument, transport: Transport, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self.transport = transport
        self.pps = 60.0  # pixels per second
        self.layout_data = TimelineLayout([], [], 0.0)
        self.items: dict[str, ClipItem] = {}
        self.context_actions: list[QAction] = []  # right-click on a clip
        self.empty_context_actions: list[QAction] = []  # right-click on empty timeline
        self._render_marks: dict[str, float | None] = {}  # clip -> progress (None: queued)
        self._gesture: Gesture | None = None
        self.drop_x: float | None = None
        self.band: QRectF | None = None  # the rubber band being drawn (scene)
        self.ripple = False  # moves and deletes close the gaps they leave
        self.snapping = True  # edges snap to cuts, the playhead and markers (N toggles)
        self.track_height, self.track_gap = TRACK_HEIGHT, TRACK_GAP
        self._playhead_frame = transport.position  # where the playhead was last asked to be drawn
        self.selected_gap: tuple[int, int] | None = None  # (track, child index): Shift+Delete closes it
        self.setScene(QGraphicsScene(self))
        self.setFrameShape(QFrame.NoFrame)
        self.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.setRenderHint(QPainter.Antialiasing, False)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOn)
        self.setAcceptDrops(True)
        self.setMouseTracking(True)
        self.setBackgroundBrush(theme.BACKGROUND)
        document.changed.connect(self.on_document_changed)
        document.selection_changed.connect(self.on_document_selection_changed)
        transport.position_changed.connect(self.on_transport_position_changed)
        filmstrip_notifier.ready.connect(self.viewport().update)  # a take's filmstrip finished decoding
        self.rebuild()

    # --- geometry ----------------------------------------------------------------------------
    def x_of(self, seconds: float) -> float:
        return seconds * self.pps

    def seconds_at(self, x: float) -> float:
        return max(0.0, x / self.pps)

    def lane_count(self) -> int:
        return max(1, len(self.layout_data.tracks))

    def track_at(self, y: float) -> int:
        """The track under scene ``y``: V1 is the bottom lane, higher tracks above (as they win)."""
        row = max(0, min(int(y // (TRACK_HEIGHT + TRACK_GAP)), self.lane_count() - 1))
        return self.lane_count() - 1 - row

    def track_y(self, track: int) -> float:
        return (self.lane_count() - 1 - track) * (TRACK_HEIGHT + TRACK_GAP) + TRACK_GAP / 2

    def playhead_x(self) -> float:
        return self.x_of(self.transport.position / self.transport.rate)

    # --- building ----------------------------------------------------------------------------
    def rebuild(self) -> None:
        """Re-lay out from the document, reusing the items of clips that are still there."""
        self.layout_data = self.document.layout()
        self.selected_gap = None  # indices may have moved
        self.place_items()

    def place_items(self) -> None:
        """Create, move and drop clip items to match ``layout_data`` at the current zoom."""
        seen = set()
        selection = set(self.document.selection)
        for block in self.layout_data.clips():
            seen.add(block.name)
            item = self.items.get(block.name)
            x, width = self.x_of(block.start), max(1.0, self.x_of(block.duration))
            if item is None:
                item = ClipItem(block, x, width, TRACK_HEIGHT)
                self.scene().addItem(item)
                self.items[block.name] = item
            item.set_geometry(block, x, self.track_y(block.track), width, TRACK_HEIGHT)
            item.selected = block.name in selection
            mark = self._render_marks.get(block.name, "none")
            item.queued = mark is None
            item.progress = mark if isinstance(mark, float) else None
        for name in set(self.items) - seen:
            self.scene().removeItem(self.items.pop(name))
        for item in self.items.values():
            item.setOpacity(1.0)  # after a drag
        self._update_scene_rect()
        self.viewport().update()

    def _update_scene_rect(self) -> None:
        tracks = max(1, len(self.layout_data.tracks))
        width = max(self.x_of(self.layout_data.duration) + TAIL, self.viewport().width())
        height = max(tracks * (TRACK_HEIGHT + TRACK_GAP), self.viewport().height() - 2)
        self.setSceneRect(QRectF(0, 0, width, height))

    def set_zoom(self, pps: float, anchor_x: float | None = None) -> None:
        """Pixels per second; keeps the time under ``anchor_x`` (viewport px) still."""
        pps = max(MIN_PPS, min(MAX_PPS, pps))
        if anchor_x is None:  # the keys zoom about the playhead, which stays where it is (or centres)
            shown = self.mapFromScene(QPointF(self.playhead_x(), 0)).x()
            anchor_x = shown if 0 <= shown <= self.viewport().width() else self.viewport().width() / 2
            seconds = self.transport.position / self.transport.rate
        else:
            seconds = self.seconds_at(self.mapToScene(int(anchor_x), 0).x())
        self.pps = pps
        self.place_items()
        self.horizontalScrollBar().setValue(int(self.x_of(seconds) - anchor_x))
        self.zoom_changed.emit(pps)

    def zoom_to_fit(self) -> None:
        duration = max(self.layout_data.duration, 1.0)
        self.set_zoom((self.viewport().width() - 40) / duration, 0)
        self.horizontalScrollBar().setValue(0)

    def set_render_mark(self, clip: str, progress: float | None, active: bool) -> None:
        """Show a clip as queued (progress None) or rendering; ``active=False`` clears it."""
        if active:
            self._render_marks[clip] = progress
        else:
            self._render_marks.pop(clip, None)
        item = self.items.get(clip)
        if item is not None:
            item.queued = active and progress is None
            item.progress = progress if active else None
            item.update()

    # --- document signals --------------------------------------------------------------------
    def on_document_changed(self) -> None:
        self.rebuild()

    def gap_at(self, scene: QPointF) -> tuple[int, int] | None:
        """(track, child index) of the gap under a scene point."""
        if not 0 <= scene.y() < len(self.layout_data.tracks) * (TRACK_HEIGHT + TRACK_GAP):
            return None
        track = self.track_at(scene.y())
        seconds = self.seconds_at(scene.x())
        for block in self.layout_data.tracks[track]:
            if block.kind is BlockKind.GAP and block.start <= seconds < block.end:
                return block.track, block.index
        return None

    def on_document_selection_changed(self, name: object) -> None:
        if name is not None:
            self.selected_gap = None
        selection = set(self.document.selection)
        for clip, item in self.items.items():
            selected = clip in selection
            if item.selected != selected:
                item.selected = selected
                item.update()

    def follow_playhead(self) -> None:
        """Keep the playhead in view: page so it lands near the edge it was heading for."""
        x, bar, width = self.playhead_x(), self.horizontalScrollBar(), self.viewport().width()
        left = bar.value()
        if x > left + width - PLAYHEAD_MARGIN:
            bar.setValue(int(x - 40))
        elif x < left:
            bar.setValue(int(x - width + 40))

    def on_transport_position_changed(self, frame: int) -> None:
        self.follow_playhead()
        # Repaint only the columns the playhead leaves and enters: a full repaint draws every clip in view.
        for shown in (self._playhead_frame, frame):
            column = self.mapFromScene(QPointF(self.x_of(shown / self.transport.rate), 0)).x()
            self.viewport().update(column - PLAYHEAD_MARGIN, 0, 2 * PLAYHEAD_MARGIN, self.viewport().height())
        self._playhead_frame = frame

    def trim(self, name: str, in_frame: int, out_frame: int) -> None:
        """Show media frames ``[in_frame, out_frame)``; without Ripple nothing else moves."""
        project = self.document.project
        trimmed = timeline_edits.trim(project, name, in_frame, out_frame, snap_frames)
        self.document.edit(trimmed if self.ripple else track_edits.trim_in_place(project, trimmed))

    def insertion(self, track: int, x: float) -> tuple[int, float]:
        """(child index, seconds) where a clip dropped at ``x`` goes: before the first clip whose
        middle is right of ``x``."""
        blocks = self.layout_data.tracks[track] if track < len(self.layout_data.tracks) else []
        seconds = self.seconds_at(x)
        for block in blocks:
            if block.kind is not BlockKind.TRANSITION and block.start + block.duration / 2 > seconds:
                return block.index, block.start
        end = blocks[-1].end if blocks else 0.0
        return (blocks[-1].index + 1 if blocks else 0), end

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.ToolTip:
            block, _ = self.hit(QPointF(event.pos()))
            if block is not None:
                QToolTip.showText(event.globalPos(), tooltip(block), self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def select_neighbour(self, step: int) -> None:
        """Select the clip ``step`` places after (or before) the selected one, and show it."""
        clips = self.layout_data.clips()
        if not clips:
            return
        names = [b.name for b in clips]
        current = names.index(self.document.selected) if self.document.selected in names else -1
        index = max(0, min(len(clips) - 1, current + step if current >= 0 else 0))
        self.document.select(names[index])
        self.ensureVisible(self.items[names[index]].sceneBoundingRect(), 40, 0)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.ControlModifier:
            factor = 1.25 if event.angleDelta().y() > 0 else 0.8
            self.set_zoom(self.pps * factor, event.position().x())
            return
        if not event.modifiers() & Qt.ShiftModifier and abs(event.angleDelta().y()) > 0:
            bar = self.horizontalScrollBar()  # a timeline scrolls sideways
            bar.setValue(bar.value() - event.angleDelta().y())
            return
        super().wheelEvent(event)

    def contextMenuEvent(self, event) -> None:
        block, _ = self.hit(QPointF(event.pos()))
        if block is not None and block.name not in self.document.selection:
            self.document.select(block.name)
        actions = self.context_actions if block is not None else self.empty_context_actions
        if actions:
            QMenu.exec(actions, event.globalPos(), None, self)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._update_scene_rect()

    # --- dropping image files ---------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _image_paths(event.mimeData()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        scene = self.mapToScene(event.position().toPoint())
        self.drop_x = self.x_of(self.insertion(self.track_at(scene.y()), scene.x())[1])
        self.viewport().update()
        event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:
        self.drop_x = None
        self.viewport().update()

    def dropEvent(self, event: QDropEvent) -> None:
        self.drop_x = None
        scene = self.mapToScene(event.position().toPoint())
        try:
            self.add_image_clips(_image_paths(event.mimeData()), self.track_at(scene.y()), scene.x())
            event.acceptProposedAction()
        except ProjectError as err:
            self.edit_refused.emit(str(err))

    def add_image_clips(self, paths: list[Path], track: int, x: float) -> None:
        """One fresh clip per image, inserted at ``x`` in order: one undo step for all of them."""
        self.add_image_clips_at(paths, track, self.insertion(track, x)[0])

    def add_image_clips_at(self, paths: list[Path], track: int, index: int) -> None:
        if not self.document.project.tracks():
            raise ProjectError("the project has no video track")
        stack = self.document.undo_stack
        stack.beginMacro(f"Add {len(paths)} clip(s)")
        try:
            for offset, path in enumerate(paths):
                project = self.document.project
                near = self.document.selected
                clip = make_clip(next_clip_name(project), image_clip_recipe(project, path, near))
                self.document.edit(timeline_edits.insert(project, track, index + offset, clip, f"Add {clip.name}"))
        finally:
            stack.endMacro()


def _image_paths(mime) -> list[Path]:
    if not mime.hasUrls():
        return []
    paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
    return [p for p in paths if is_image(p) and p.is_file()]
