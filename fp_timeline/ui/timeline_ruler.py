"""The time ruler above the timeline (click or drag to move the playhead) and the track headers."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF, QMouseEvent, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from fp_timeline.project.timing import timecode
from fp_timeline.ui import marks, theme
from fp_timeline.ui.timeline_view import TimelineView, grid_step

RULER_HEIGHT = 26
GRID_PX = 60  # grid_step's least spacing
LABEL_PADDING = 12  # px between one timecode label and the next


def _label_font() -> QFont:
    font = QFont()
    font.setPointSizeF(7.5)
    return font


def tick_frames(first_seconds: float, last_seconds: float, step: float, rate: float) -> list[int]:
    """Frames a labelled tick marks between two times: every ``step`` seconds, on whole frames."""
    frames: list[int] = []
    for k in range(int(first_seconds / step), int(last_seconds / step) + 1):
        frame = round(k * step * rate)
        if not frames or frame > frames[-1]:
            frames.append(frame)
    return frames


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

    def step(self) -> float:
        """Seconds between labelled ticks: the timeline grid's scale, wide enough for a timecode."""
        wide = QFontMetricsF(_label_font()).horizontalAdvance("00:00:00;00") + LABEL_PADDING
        return grid_step(self.view.pps * GRID_PX / max(GRID_PX, wide))

    def labels(self) -> list[tuple[float, str]]:
        """(x in the ruler, timecode) of each labelled tick in view: full ``HH:MM:SS:FF`` at every zoom."""
        pps, offset, rate = self.view.pps, self._offset(), self.view.transport.rate
        frames = tick_frames(offset / pps, (offset + self.width()) / pps, self.step(), rate)
        return [(frame / rate * pps - offset, timecode(frame, rate)) for frame in frames]

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), theme.PANEL)
        painter.setFont(_label_font())
        minor_px = self.step() * self.view.pps / 5
        for x, label in self.labels():
            painter.setPen(QPen(theme.TEXT_DIM, 1))
            painter.drawLine(QPointF(x, RULER_HEIGHT - 10), QPointF(x, RULER_HEIGHT))
            painter.drawText(QPointF(x + 3, 11), label)
            for minor in range(1, 5):
                painter.drawLine(
                    QPointF(x + minor * minor_px, RULER_HEIGHT - 4), QPointF(x + minor * minor_px, RULER_HEIGHT)
                )
        offset = self._offset()
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
