"""Track headers beside the lanes: the track's name, and its lock and visibility switches.

Click a name to make that track the current one (Paste, Lock, Hide and Remove act on it); click
the padlock or the eye to switch the track's lock or visibility.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QMenu, QToolTip, QWidget

from fp_timeline.ui import theme
from fp_timeline.ui.timeline_view import TRACK_HEIGHT, TimelineView

HEADER_WIDTH = 88
SWITCH = 18  # px: the lock and eye boxes


class TrackHeaders(QWidget):
    track_clicked = Signal(int, str)  # track, "name", "lock" or "eye"
    context_actions: list = []  # Track menu actions, shown on right-click (acting on the clicked track)

    def __init__(self, view: TimelineView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.current = 0  # the track Paste and the track handlers act on
        self.setFixedWidth(HEADER_WIDTH)
        view.verticalScrollBar().valueChanged.connect(self.update)
        view.document.changed.connect(self.update)

    def names(self) -> list[str]:
        return list(self.view.layout_data.track_names)

    def _rect(self, track: int) -> QRectF:
        top = self.view.track_y(track) - self.view.verticalScrollBar().value()
        return QRectF(0, top, HEADER_WIDTH - 1, TRACK_HEIGHT)

    def switch_rects(self, track: int) -> tuple[QRectF, QRectF]:
        """(padlock, eye) boxes of a track's header."""
        rect = self._rect(track)
        lock = QRectF(8, rect.bottom() - SWITCH - 6, SWITCH, SWITCH)
        return lock, lock.translated(SWITCH + 6, 0)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), theme.PANEL)
        layout = self.view.layout_data
        bold = QFont()
        bold.setBold(True)
        for t, name in enumerate(layout.track_names):
            rect = self._rect(t)
            painter.fillRect(rect, theme.TRACK if t % 2 == 0 else theme.TRACK_ALT)
            if t == self.current:
                painter.fillRect(QRectF(0, rect.top(), 3, rect.height()), theme.ACCENT)
            painter.setFont(bold)
            painter.setPen(theme.TEXT_DIM if t in layout.hidden else theme.TEXT)
            painter.drawText(rect.adjusted(8, 6, 0, 0), Qt.AlignTop | Qt.AlignLeft, name)
            lock, eye = self.switch_rects(t)
            self._switch(painter, lock, "L", t in layout.locked, "locked" if t in layout.locked else "unlocked")
            self._switch(painter, eye, "H" if t in layout.hidden else "V", t in layout.hidden, "")
        painter.setPen(QPen(theme.GRID, 1))
        painter.drawLine(self.width() - 1, 0, self.width() - 1, self.height())

    def _switch(self, painter: QPainter, rect: QRectF, letter: str, on: bool, _tip: str) -> None:
        painter.setPen(QPen(theme.TEXT_DIM, 1))
        painter.setBrush(theme.STATE_COLOURS["stale"] if on else Qt.NoBrush)
        painter.drawRoundedRect(rect, 3, 3)
        painter.setPen(theme.BACKGROUND if on else theme.TEXT_DIM)
        painter.setFont(QFont())
        painter.drawText(rect, Qt.AlignCenter, letter)

    def event(self, event) -> bool:
        if event.type() == QEvent.ToolTip:
            QToolTip.showText(event.globalPos(), self.tip_at(QPointF(event.pos())), self)
            return True
        return super().event(event)

    def tip_at(self, point: QPointF) -> str:
        layout = self.view.layout_data
        for t, name in enumerate(layout.track_names):
            if not self._rect(t).contains(point):
                continue
            lock, eye = self.switch_rects(t)
            if lock.contains(point):
                return (
                    f"{name} is locked: click to unlock" if t in layout.locked else f"Lock {name}: no edit changes it"
                )
            if eye.contains(point):
                return (
                    f"{name} is hidden: click to show it" if t in layout.hidden else f"Hide {name} (viewer and movie)"
                )
            return f"{name}: click to make it the current track; right-click for the Track menu"
        return ""

    def contextMenuEvent(self, event) -> None:
        self.mousePressEvent(event)  # the clicked track becomes the current one
        if self.context_actions:
            QMenu.exec(self.context_actions, event.globalPos(), None, self)

    def mousePressEvent(self, event) -> None:
        point: QPointF = QPointF(event.pos()) if not hasattr(event, "position") else event.position()
        for t in range(len(self.view.layout_data.track_names)):
            if not self._rect(t).contains(point):
                continue
            lock, eye = self.switch_rects(t)
            zone = "lock" if lock.contains(point) else "eye" if eye.contains(point) else "name"
            if not isinstance(event, QMouseEvent):
                zone = "name"  # a right-click only picks the track
            self.current = t
            self.update()
            self.track_clicked.emit(t, zone)
            return
