"""The viewer: the timeline (or the selected clip) at the playhead, with transport controls.

Keys (window-wide, see ``main_window``): space plays/pauses, J/K/L shuttle, arrows step a frame.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QStyle, QToolButton, QVBoxLayout, QWidget

from fp_timeline.project.errors import ProjectError
from fp_timeline.project.timing import timecode
from fp_timeline.ui import theme
from fp_timeline.ui.document import ProjectDocument
from fp_timeline.ui.frame_source import FrameSource, ViewerFrame
from fp_timeline.ui.timeline_layout import TimelineLayout
from fp_timeline.ui.transport import Transport


class FrameView(QWidget):
    """Paints one frame fitted into the widget on black, with a caption and a state badge."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.frame = ViewerFrame(None, None, "", False)
        self.setMinimumSize(240, 160)

    def show_frame(self, frame: ViewerFrame) -> None:
        self.frame = frame
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#000000"))
        image = self.frame.image
        if image is not None:
            scale = min(self.width() / image.width(), self.height() / image.height())
            w, h = image.width() * scale, image.height() * scale
            target = QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)
            painter.setRenderHint(QPainter.SmoothPixmapTransform, True)
            painter.drawImage(target, image)
            if not self.frame.rendered and not self.frame.preview:  # a placeholder: dim it
                painter.fillRect(target, QColor(0, 0, 0, 140))
        font = QFont()
        font.setPointSizeF(9)
        painter.setFont(font)
        if self.frame.clip is None:
            painter.setPen(theme.TEXT_DIM)
            empty = not self.frame.has_clips
            text = "Empty project: drop start images on the timeline" if empty else "no clip at the playhead"
            painter.drawText(self.rect(), Qt.AlignCenter, text)
            return
        if not self.frame.rendered and not self.frame.preview:
            painter.setPen(theme.TEXT)
            painter.drawText(self.rect(), Qt.AlignCenter, f"{self.frame.clip}\nnot rendered yet")
        badge = f" {self.frame.clip} · {'rendering preview' if self.frame.preview else self.frame.state} "
        metrics = painter.fontMetrics()
        box = QRectF(8, 8, metrics.horizontalAdvance(badge) + 8, metrics.height() + 4)
        painter.fillRect(box, QColor(0, 0, 0, 170))
        painter.setPen(theme.state_colour(self.frame.state))
        painter.drawText(box, Qt.AlignCenter, badge)


class Viewer(QWidget):
    def __init__(self, document: ProjectDocument, transport: Transport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.transport = transport
        self.source = FrameSource()
        self.previews: dict[str, QImage] = {}  # clip -> live preview of its render in progress
        self.view = FrameView(self)
        self.play = QToolButton()
        self.play.setIcon(self.style().standardIcon(QStyle.SP_MediaPlay))
        self.play.setToolTip("Play / pause (Space)")
        self.play.clicked.connect(self.transport.toggle)
        self.back = QToolButton()
        self.back.setIcon(self.style().standardIcon(QStyle.SP_MediaSkipBackward))
        self.back.setToolTip("To start (Home)")
        self.back.clicked.connect(lambda: self.transport.seek(0))
        self.clip_mode = QToolButton()
        self.clip_mode.setText("Clip")
        self.clip_mode.setCheckable(True)
        self.clip_mode.setToolTip("Play only the selected clip, looping (off: the whole timeline)")
        self.clip_mode.toggled.connect(self.on_clip_mode_toggled)
        self.slider = QSlider(Qt.Horizontal)
        self.slider.valueChanged.connect(self.on_slider_value_changed)
        self.time = QLabel("00:00:00 / 00:00:00")
        self.time.setStyleSheet("font-family: monospace;")
        bar = QHBoxLayout()
        bar.addWidget(self.back)
        bar.addWidget(self.play)
        bar.addWidget(self.clip_mode)
        bar.addWidget(self.slider, 1)
        bar.addWidget(self.time)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.view, 1)
        layout.addLayout(bar)
        document.changed.connect(self.on_document_changed)
        document.selection_changed.connect(self.on_document_selection_changed)
        transport.position_changed.connect(self.on_transport_position_changed)
        transport.playing_changed.connect(self.on_transport_playing_changed)
        self.on_document_changed()

    def on_document_changed(self) -> None:
        layout = self.timeline_layout()
        frames = round(layout.duration * self.document.project.rate)
        self.transport.set_timing(self.document.project.rate, frames)
        self.slider.blockSignals(True)
        self.slider.setRange(0, frames)
        self.slider.blockSignals(False)
        self._update_loop()
        self.refresh()

    def on_document_selection_changed(self, name: object) -> None:
        self._update_loop()

    def on_clip_mode_toggled(self, checked: bool) -> None:
        self._update_loop()

    def _update_loop(self) -> None:
        """In clip mode, loop the transport over the selected clip's frames."""
        block = self.timeline_layout().block(self.document.selected) if self.document.selected else None
        if not self.clip_mode.isChecked() or block is None:
            self.transport.set_loop(None)
            return
        self.transport.set_loop(block.span)

    def set_preview(self, clip: str, image: QImage | None) -> None:
        """Show (or stop showing) a render's live preview while the playhead is on that clip."""
        if image is None:
            self.previews.pop(clip, None)
        else:
            self.previews[clip] = self._last_frame_of(clip, image)
        self.refresh()

    def _last_frame_of(self, clip: str, strip: QImage) -> QImage:
        """Generators may send a few frames side by side (F1 does): show the newest one."""
        try:
            recipe = self.document.project.recipe(self.document.project.clip(clip))
        except ProjectError:
            return strip
        frame_width = strip.height() * recipe.width / recipe.height
        count = max(1, round(strip.width() / frame_width))
        width = strip.width() // count
        return strip.copy(strip.width() - width, 0, width, strip.height()) if count > 1 else strip

    def timeline_layout(self) -> TimelineLayout:
        return self.document.layout()

    def on_transport_position_changed(self, frame: int) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(frame)
        self.slider.blockSignals(False)
        self.refresh()

    def on_transport_playing_changed(self, playing: bool) -> None:
        icon = QStyle.SP_MediaPause if playing else QStyle.SP_MediaPlay
        self.play.setIcon(self.style().standardIcon(icon))

    def on_slider_value_changed(self, value: int) -> None:
        self.transport.seek(value)

    def refresh(self) -> None:
        rate = self.transport.rate
        try:
            frame = self.source.frame(self.document.project, self.timeline_layout(), self.transport.position)
        except ProjectError:
            frame = ViewerFrame(None, None, "", False)
        if frame.clip in self.previews:
            frame = ViewerFrame(self.previews[frame.clip], frame.clip, "rendering", False, preview=True)
        self.view.show_frame(frame)
        self.time.setText(f"{timecode(self.transport.position, rate)} / {timecode(self.transport.duration, rate)}")
