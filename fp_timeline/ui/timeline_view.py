"""The timeline: tracks of clip blocks in a QGraphicsView, with playhead, zoom, drag and trim.

V1 is the bottom lane and higher tracks sit above it (a higher track wins in the viewer, as in every
NLE).  Mouse gestures live in ``timeline_gestures``; every gesture ends in one
``ProjectDocument.edit`` (one undo step) and refused edits are reported through ``edit_refused``.
Dropping image files adds clips.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QDragEnterEvent, QDropEvent, QPainter, QPen, QWheelEvent
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView, QMenu, QToolTip

from fp_timeline.project.edits import make_clip, next_clip_name
from fp_timeline.project.errors import ProjectError
from fp_timeline.ui import theme, timeline_edits
from fp_timeline.ui.clip_defaults import image_clip_recipe, is_image, snapped_frames
from fp_timeline.ui.clip_item import ClipItem, tooltip
from fp_timeline.ui.document import ProjectDocument
from fp_timeline.ui.timeline_gestures import Gesture, TimelineGestures
from fp_timeline.ui.timeline_layout import Block, TimelineLayout
from fp_timeline.ui.transport import Transport

TRACK_HEIGHT = 76
TRACK_GAP = 6
MIN_PPS, MAX_PPS = 0.02, 2000.0  # from a 12-hour timeline on one screen to single frames
TAIL = 300  # px of empty timeline after the end, to drop and trim into
PLAYHEAD_MARGIN = 4  # px either side of the playhead line repainted when it moves


class TimelineView(TimelineGestures, QGraphicsView):
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
        self.context_actions: list[QAction] = []
        self._render_marks: dict[str, float | None] = {}  # clip -> progress (None: queued)
        self._gesture: Gesture | None = None
        self._drop_x: float | None = None
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

    # --- painting ----------------------------------------------------------------------------
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, theme.BACKGROUND)
        for t in range(self.lane_count()):
            lane = QRectF(rect.left(), self.track_y(t) - TRACK_GAP / 2, rect.width(), TRACK_HEIGHT + TRACK_GAP)
            painter.fillRect(lane, theme.TRACK if t % 2 == 0 else theme.TRACK_ALT)
        step = grid_step(self.pps)
        painter.setPen(QPen(theme.GRID, 0))
        first = int(rect.left() / self.pps / step)
        seconds = first * step
        while self.x_of(seconds) <= rect.right():
            x = self.x_of(seconds)
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
            seconds += step
        for block in (b for track in self.layout_data.tracks for b in track if b.kind in ("other", "gap")):
            r = QRectF(self.x_of(block.start), self.track_y(block.track), self.x_of(block.duration), TRACK_HEIGHT)
            if block.kind == "other":
                painter.fillRect(r.adjusted(0, 0, -1, 0), QColor("#44474f"))
            elif block.kind == "gap":  # hatched, so a gap reads as a hole (select it, Shift+Delete closes it)
                painter.fillRect(r, QBrush(theme.GRID, Qt.BDiagPattern))
                if self.selected_gap == (block.track, block.index):
                    painter.setPen(QPen(theme.SELECTION, 2))
                    painter.drawRect(r.adjusted(1, 1, -1, -1))

    def _paint_transition(self, painter: QPainter, block: Block) -> None:
        """A dissolve: a translucent bow-tie over the cut."""
        x0, x1 = self.x_of(block.start), self.x_of(block.end)
        y0 = self.track_y(block.track)
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing, True)
        painter.setPen(QPen(QColor(255, 255, 255, 160), 1))
        painter.setBrush(QColor(255, 255, 255, 40))
        painter.drawPolygon(
            [
                QPointF(x0, y0 + 4),
                QPointF(x1, y0 + TRACK_HEIGHT - 4),
                QPointF(x1, y0 + 4),
                QPointF(x0, y0 + TRACK_HEIGHT - 4),
            ]
        )
        painter.restore()

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        # Painted after the items, so transitions, the playhead and drop marks are never hidden.
        for block in (b for track in self.layout_data.tracks for b in track):
            if block.kind == "transition":
                self._paint_transition(painter, block)
        if self.band is not None:
            painter.setPen(QPen(theme.SELECTION, 1, Qt.DashLine))
            painter.setBrush(QColor(255, 255, 255, 24))
            painter.drawRect(self.band)
            painter.setBrush(Qt.NoBrush)
        if self._drop_x is not None:
            painter.setPen(QPen(theme.ACCENT, 3))
            painter.drawLine(QPointF(self._drop_x, rect.top()), QPointF(self._drop_x, rect.bottom()))
        if not self.items:
            painter.setPen(theme.TEXT_DIM)
            hint = QRectF(self.mapToScene(0, 0), self.viewport().size()).adjusted(0, 0, 0, -TRACK_HEIGHT)
            painter.drawText(
                QRectF(hint.left(), self.track_y(0) + TRACK_HEIGHT, hint.width(), TRACK_HEIGHT),
                Qt.AlignCenter,
                "Drop start images here to add clips (or Edit ▸ Add Clip from Image, Ctrl+I)",
            )
        x = self.playhead_x()
        painter.setPen(QPen(theme.PLAYHEAD, 1.5))
        painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))

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
            if block.kind == "gap" and block.start <= seconds < block.end:
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
        self.document.edit(timeline_edits.trim(self.document.project, name, in_frame, out_frame, snapped_frames))

    def insertion(self, track: int, x: float) -> tuple[int, float]:
        """(child index, seconds) where a clip dropped at ``x`` goes: before the first clip whose
        middle is right of ``x``."""
        blocks = self.layout_data.tracks[track] if track < len(self.layout_data.tracks) else []
        seconds = self.seconds_at(x)
        for block in blocks:
            if block.kind != "transition" and block.start + block.duration / 2 > seconds:
                return block.index, block.start
        end = blocks[-1].end if blocks else 0.0
        return (blocks[-1].index + 1 if blocks else 0), end

    def snap_points(self) -> list[float]:
        """Extra x positions edges snap to (markers, in and out points)."""
        return []

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
        if block is not None:
            self.document.select(block.name)
        if self.context_actions:
            QMenu.exec(self.context_actions, event.globalPos(), None, self)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._update_scene_rect()

    # --- dropping image files ---------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _image_paths(event.mimeData()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        scene = self.mapToScene(event.position().toPoint())
        self._drop_x = self.x_of(self.insertion(self.track_at(scene.y()), scene.x())[1])
        self.viewport().update()
        event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:
        self._drop_x = None
        self.viewport().update()

    def dropEvent(self, event: QDropEvent) -> None:
        self._drop_x = None
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


def grid_step(pps: float) -> float:
    """Seconds between grid lines: at least ~60 px apart, on a 1-2-5 scale."""
    for step in (1 / 30, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600):
        if step * pps >= 60:
            return step
    return 3600
