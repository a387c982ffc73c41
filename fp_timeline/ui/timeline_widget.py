"""The timeline panel: corner, ruler, track headers and the view, laid out as one widget."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from fp_timeline.project.timing import timecode
from fp_timeline.ui import theme
from fp_timeline.ui.document import ProjectDocument
from fp_timeline.ui.timeline_ruler import RULER_HEIGHT, TimelineRuler
from fp_timeline.ui.timeline_view import TimelineView
from fp_timeline.ui.track_headers import HEADER_WIDTH, TrackHeaders
from fp_timeline.ui.transport import Transport


class TimelineWidget(QWidget):
    def __init__(self, document: ProjectDocument, transport: Transport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = TimelineView(document, transport, self)
        self.ruler = TimelineRuler(self.view, self)
        self.headers = TrackHeaders(self.view, self)
        self.clock = QLabel(self)
        self.clock.setFixedSize(HEADER_WIDTH, RULER_HEIGHT)
        self.clock.setStyleSheet(
            f"background: {theme.PANEL.name()}; color: {theme.TEXT.name()}; font-family: monospace; font-size: 8pt;"
            "padding-left: 4px;"
        )
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(0)
        grid.addWidget(self.clock, 0, 0)
        grid.addWidget(self.ruler, 0, 1)
        grid.addWidget(self.headers, 1, 0)
        grid.addWidget(self.view, 1, 1)
        transport.position_changed.connect(self.on_transport_position_changed)
        self.on_transport_position_changed(transport.position)

    def on_transport_position_changed(self, frame: int) -> None:
        self.clock.setText(timecode(frame, self.view.transport.rate))
