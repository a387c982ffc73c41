"""Painting the timeline's background and foreground (a mixin of ``TimelineView``): lanes, grid,
gaps and imported clips under the clip items; transitions, markers, the in/out dimming, the rubber
band, drop marks and the playhead over them."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen

from fp_timeline.ui import marks, theme
from fp_timeline.ui.timeline_layout import Block, BlockKind


class TimelinePainting:
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, theme.BACKGROUND)
        for t in range(self.lane_count()):
            lane = QRectF(
                rect.left(), self.track_y(t) - self.track_gap / 2, rect.width(), self.track_height + self.track_gap
            )
            painter.fillRect(lane, theme.TRACK if t % 2 == 0 else theme.TRACK_ALT)
        step = grid_step(self.pps)
        painter.setPen(QPen(theme.GRID, 0))
        first = int(rect.left() / self.pps / step)
        seconds = first * step
        while self.x_of(seconds) <= rect.right():
            x = self.x_of(seconds)
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
            seconds += step
        for block in (
            b for track in self.layout_data.tracks for b in track if b.kind in (BlockKind.OTHER, BlockKind.GAP)
        ):
            r = QRectF(self.x_of(block.start), self.track_y(block.track), self.x_of(block.duration), self.track_height)
            if block.kind is BlockKind.OTHER:
                painter.fillRect(r.adjusted(0, 0, -1, 0), QColor("#44474f"))
            elif block.kind is BlockKind.GAP:  # hatched, so a gap reads as a hole (select it, Shift+Delete closes it)
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
                QPointF(x1, y0 + self.track_height - 4),
                QPointF(x1, y0 + 4),
                QPointF(x0, y0 + self.track_height - 4),
            ]
        )
        painter.restore()

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        # Painted after the items, so transitions, the playhead and drop marks are never hidden.
        for block in (b for track in self.layout_data.tracks for b in track):
            if block.kind is BlockKind.TRANSITION:
                self._paint_transition(painter, block)
        self._paint_track_states(painter, rect)
        self._paint_marks(painter, rect)
        if self.band is not None:
            painter.setPen(QPen(theme.SELECTION, 1, Qt.DashLine))
            painter.setBrush(QColor(255, 255, 255, 24))
            painter.drawRect(self.band)
            painter.setBrush(Qt.NoBrush)
        if self.drop_x is not None:
            painter.setPen(QPen(theme.ACCENT, 3))
            painter.drawLine(QPointF(self.drop_x, rect.top()), QPointF(self.drop_x, rect.bottom()))
        if not self.items:
            painter.setPen(theme.TEXT_DIM)
            hint = QRectF(self.mapToScene(0, 0), self.viewport().size()).adjusted(0, 0, 0, -self.track_height)
            painter.drawText(
                QRectF(hint.left(), self.track_y(0) + self.track_height, hint.width(), self.track_height),
                Qt.AlignCenter,
                "Drop start images here to add clips (or Edit ▸ Add Clip from Image, Ctrl+I)",
            )
        x = self.playhead_x()
        painter.setPen(QPen(theme.PLAYHEAD, 1.5))
        painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))

    def snap_points(self) -> list[float]:
        """Extra x positions edges snap to: markers, in and out points."""
        project = self.document.project
        rate = project.rate
        frames = [marks.marker_frame(m, rate) for m in marks.markers(project)]
        frames += [f for f in marks.in_out(project) if f is not None]
        return [self.x_of(f / rate) for f in frames]

    def _paint_track_states(self, painter: QPainter, rect: QRectF) -> None:
        """Hidden tracks dimmed, locked tracks hatched, over their clips."""
        for t in self.layout_data.hidden | self.layout_data.locked:
            lane = QRectF(rect.left(), self.track_y(t), rect.width(), self.track_height)
            if t in self.layout_data.hidden:
                painter.fillRect(lane, theme.OUTSIDE_IN_OUT)
            if t in self.layout_data.locked:
                painter.fillRect(lane, QBrush(QColor(255, 255, 255, 40), Qt.FDiagPattern))

    def _paint_marks(self, painter: QPainter, rect: QRectF) -> None:
        """Markers as lines in their colour; outside the in/out points dimmed."""
        project = self.document.project
        rate = project.rate
        span = marks.play_range(project, round(self.layout_data.duration * rate))
        if span is not None:
            left, right = self.x_of(span[0] / rate), self.x_of(span[1] / rate)
            if rect.left() < left:
                painter.fillRect(
                    QRectF(rect.left(), rect.top(), left - rect.left(), rect.height()), theme.OUTSIDE_IN_OUT
                )
            if rect.right() > right:
                painter.fillRect(QRectF(right, rect.top(), rect.right() - right, rect.height()), theme.OUTSIDE_IN_OUT)
        for marker in marks.markers(project):
            x = self.x_of(marks.marker_frame(marker, rate) / rate)
            if rect.left() - 1 <= x <= rect.right() + 1:
                painter.setPen(QPen(theme.marker_colour(marker.color), 1, Qt.DashLine))
                painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))


def grid_step(pps: float) -> float:
    """Seconds between grid lines: at least ~60 px apart, on a 1-2-5 scale."""
    for step in (1 / 30, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600):
        if step * pps >= 60:
            return step
    return 3600
