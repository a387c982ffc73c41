"""The time ruler above the timeline (click or drag to move the playhead) and the track headers."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QMouseEvent, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from fp_timeline.ui import theme
from fp_timeline.ui.timeline_view import TRACK_HEIGHT, TimelineView, grid_step

RULER_HEIGHT = 26
HEADER_WIDTH = 88


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
        x = self.view.playhead_x() - offset
        painter.setRenderHint(QPainter.Antialiasing, True)
        painter.setPen(Qt.NoPen)
        painter.setBrush(theme.PLAYHEAD)
        painter.drawPolygon(
            QPolygonF([QPointF(x - 6, RULER_HEIGHT - 11), QPointF(x + 6, RULER_HEIGHT - 11), QPointF(x, RULER_HEIGHT)])
        )
        painter.setPen(QPen(theme.GRID, 1))
        painter.drawLine(0, RULER_HEIGHT - 1, self.width(), RULER_HEIGHT - 1)

    def _seek(self, event: QMouseEvent) -> None:
        seconds = max(0.0, (event.position().x() + self._offset()) / self.view.pps)
        self.view.transport.seek(round(seconds * self.view.transport.rate))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._seek(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.LeftButton:
            self._seek(event)


class TrackHeaders(QWidget):
    """Track names beside the lanes, scrolled with the view."""

    def __init__(self, view: TimelineView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.setFixedWidth(HEADER_WIDTH)
        view.verticalScrollBar().valueChanged.connect(self.update)
        view.document.changed.connect(self.update)

    def names(self) -> list[str]:
        return list(self.view.layout_data.track_names)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), theme.PANEL)
        offset = self.view.verticalScrollBar().value()
        font = QFont()
        font.setBold(True)
        painter.setFont(font)
        for t, name in enumerate(self.view.layout_data.track_names):
            top = self.view.track_y(t) - offset
            rect = QRectF(0, top, HEADER_WIDTH - 1, TRACK_HEIGHT)
            painter.fillRect(rect, theme.TRACK if t % 2 == 0 else theme.TRACK_ALT)
            painter.setPen(theme.TEXT)
            painter.drawText(rect.adjusted(8, 0, 0, 0), Qt.AlignVCenter | Qt.AlignLeft, name)
        painter.setPen(QPen(theme.GRID, 1))
        painter.drawLine(self.width() - 1, 0, self.width() - 1, self.height())
