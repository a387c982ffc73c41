"""The time ruler above the timeline (click or drag to move the playhead) and the track headers."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFont, QMouseEvent, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from fp_timeline.ui import marks, theme
from fp_timeline.ui.timeline_view import TimelineView, grid_step

RULER_HEIGHT = 26


def timecode(frame: int, rate: float) -> str:
    """SMPTE-style ``HH:MM:SS:FF`` (non-drop)."""
    whole = max(1, round(rate))
    seconds, frames = divmod(max(0, frame), whole)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}:{frames:02d}"


def ruler_label(frame: int, rate: float, step: float) -> str:
    """Short ruler labels: ``m:ss``, with frames ``m:ss:ff`` when ticks are under a second apart."""
    whole = max(1, round(rate))
    seconds, frames = divmod(max(0, frame), whole)
    minutes, seconds = divmod(seconds, 60)
    label = f"{minutes}:{seconds:02d}"
    return f"{label}:{frames:02d}" if step < 1 else label


class TimelineRuler(QWidget):
    marker_double_clicked = Signal()  # the playhead is on the marker: edit it

    def __init__(self, view: TimelineView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.setFixedHeight(RULER_HEIGHT)
        self.setCursor(Qt.PointingHandCursor)
        view.horizontalScrollBar().valueChanged.connect(self.update)
        view.transport.position_changed.connect(self.update)
        view.zoom_changed.connect(self.update)

    def sizeHint(self) -> QSize:
        return QSize(400, RULER_HEIGHT)

    def _offset(self) -> float:
        return self.view.horizontalScrollBar().value()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), theme.PANEL)
        font = QFont()
        font.setPointSizeF(7.5)
        painter.setFont(font)
        pps, offset = self.view.pps, self._offset()
        step = grid_step(pps)
        rate = self.view.transport.rate
        seconds = int(offset / pps / step) * step
        while seconds * pps - offset <= self.width():
            x = seconds * pps - offset
            painter.setPen(QPen(theme.TEXT_DIM, 1))
            painter.drawLine(QPointF(x, RULER_HEIGHT - 10), QPointF(x, RULER_HEIGHT))
            painter.drawText(QPointF(x + 3, 11), ruler_label(round(seconds * rate), rate, step))
            for minor in range(1, 5):
                mx = x + minor * step * pps / 5
                painter.drawLine(QPointF(mx, RULER_HEIGHT - 4), QPointF(mx, RULER_HEIGHT))
            seconds += step
        self._paint_marks(painter, offset)
        x = self.view.playhead_x() - offset
        painter.setRenderHint(QPainter.Antialiasing, True)
        painter.setPen(Qt.NoPen)
        painter.setBrush(theme.PLAYHEAD)
        painter.drawPolygon(
            QPolygonF([QPointF(x - 6, RULER_HEIGHT - 11), QPointF(x + 6, RULER_HEIGHT - 11), QPointF(x, RULER_HEIGHT)])
        )
        painter.setPen(QPen(theme.GRID, 1))
        painter.drawLine(0, RULER_HEIGHT - 1, self.width(), RULER_HEIGHT - 1)

    def _paint_marks(self, painter: QPainter, offset: float) -> None:
        """The in/out band with its brackets, and a flag per marker in the marker's colour."""
        project = self.view.document.project
        rate = project.rate
        pps = self.view.pps
        mark_in, mark_out = marks.in_out(project)
        if mark_in is not None or mark_out is not None:
            left = (mark_in or 0) / rate * pps - offset
            right = (mark_out / rate * pps - offset) if mark_out is not None else self.width()
            painter.fillRect(QRectF(left, 0, right - left, RULER_HEIGHT), theme.IN_OUT)
            painter.setPen(QPen(theme.ACCENT, 2))
            if mark_in is not None:
                painter.drawPolyline(QPolygonF([QPointF(left + 5, 1), QPointF(left + 1, 1), QPointF(left + 1, 13)]))
            if mark_out is not None:
                painter.drawPolyline(QPolygonF([QPointF(right - 5, 1), QPointF(right - 1, 1), QPointF(right - 1, 13)]))
        painter.setPen(Qt.NoPen)
        for marker in marks.markers(project):
            x = marks.marker_frame(marker, rate) / rate * pps - offset
            if -8 <= x <= self.width() + 8:
                painter.setBrush(theme.marker_colour(marker.color))
                painter.drawPolygon(
                    QPolygonF(
                        [QPointF(x - 4, 0), QPointF(x + 4, 0), QPointF(x + 4, 7), QPointF(x, 11), QPointF(x - 4, 7)]
                    )
                )

    def _seek(self, event: QMouseEvent) -> None:
        seconds = max(0.0, (event.position().x() + self._offset()) / self.view.pps)
        self.view.transport.seek(round(seconds * self.view.transport.rate))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._seek(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.LeftButton:
            self._seek(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        """Double-click a marker's flag to name and colour it."""
        project = self.view.document.project
        rate = project.rate
        x = event.position().x() + self._offset()
        near = [m for m in marks.markers(project) if abs(marks.marker_frame(m, rate) / rate * self.view.pps - x) <= 6]
        if near:
            self.view.transport.seek(marks.marker_frame(near[0], rate))
            self.marker_double_clicked.emit()
