"""A clip on the timeline: a block with thumbnail, name, prompt, state colour and render progress.

Drawn by hand (no child items) so 2,000 of them stay cheap; very narrow blocks (zoomed far out)
draw as a plain coloured bar.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from fp_timeline.ui import theme
from fp_timeline.ui.filmstrip import MIN_BLOCK_WIDTH, filmstrip
from fp_timeline.ui.thumbnails import thumbnail
from fp_timeline.ui.timeline_layout import Block

STATE_BAR = 5  # px: the state colour strip along the bottom
LINK_WIDTH = 16  # px: the carry link badge straddling the cut
MIN_LINK_WIDTH = 28  # px: narrower blocks show no link badge

_NAME_FONT = QFont()
_NAME_FONT.setPointSizeF(8.5)
_NAME_FONT.setBold(True)
_TEXT_FONT = QFont()
_TEXT_FONT.setPointSizeF(8)


class ClipItem(QGraphicsItem):
    """One generated clip.  ``progress`` is None unless the clip is queued or rendering."""

    def __init__(self, block: Block, x: float, width: float, height: float) -> None:
        super().__init__()
        self.block = block
        self._width = width
        self._height = height
        self.selected = False
        self.progress: float | None = None  # 0..1 while rendering
        self.queued = False
        self.painted_frames: list[int] = []  # the take frames the filmstrip showed at the last paint
        self.setPos(x, 0)
        self.setAcceptHoverEvents(False)

    def set_geometry(self, block: Block, x: float, y: float, width: float, height: float) -> None:
        if width != self._width or height != self._height or block.carries != self.block.carries:
            self.prepareGeometryChange()
        self.block = block
        self._width = width
        self._height = height
        self.setZValue(1 if block.carries else 0)  # its link glyph straddles the cut: over the neighbour
        self.setPos(x, y)
        self.update()

    @property
    def width(self) -> float:
        return self._width

    def boundingRect(self) -> QRectF:
        left = LINK_WIDTH / 2 if self.block.carries else 0
        return QRectF(-left, 0, self._width + left, self._height)

    def body_rect(self) -> QRectF:
        return QRectF(0, 0, self._width, self._height)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        state = self._state()
        colour = theme.state_colour(state)
        if self._width < 4:  # zoomed far out: a bar in the state colour, at least a pixel wide
            painter.fillRect(QRectF(0, 0, max(1.0, self._width), self._height), colour)
            return
        rect = self.body_rect().adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setRenderHint(QPainter.Antialiasing, True)
        path = QPainterPath()
        path.addRoundedRect(rect, 4, 4)
        painter.fillPath(path, theme.CLIP_BODY_CARRY if self.block.carries else theme.CLIP_BODY)
        painter.save()
        painter.setClipPath(path)
        text_left = 6.0
        strip = filmstrip(self.block.media, int(rect.height() - STATE_BAR)) if rect.width() >= MIN_BLOCK_WIDTH else None
        self.painted_frames = self._paint_strip(painter, rect, strip) if strip is not None else []
        pixmap = None if strip is not None else thumbnail(self.block.thumbnail, int(rect.height() - STATE_BAR))
        if pixmap is not None and rect.width() > 40:
            # At most 40% of the block, so name and state stay readable on short clips.
            shown = min(float(pixmap.width()), rect.width() * 0.4)
            painter.drawPixmap(
                QRectF(rect.left(), rect.top(), shown, pixmap.height()), pixmap, QRectF(0, 0, shown, pixmap.height())
            )
            text_left = shown + 6
        self._paint_text(painter, rect, text_left, state)
        # State strip, with render progress drawn over it.
        strip = QRectF(rect.left(), rect.bottom() - STATE_BAR, rect.width(), STATE_BAR)
        painter.fillRect(strip, colour)
        if self.progress is not None:
            done = QRectF(strip.left(), strip.top() - 2, strip.width() * self.progress, STATE_BAR + 2)
            painter.fillRect(done, theme.STATE_COLOURS["rendering"].lighter(130))
        painter.restore()
        pen = QPen(theme.SELECTION if self.selected else colour.darker(140), 2 if self.selected else 1)
        painter.setPen(pen)
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(path)
        if self.block.carries and rect.width() >= MIN_LINK_WIDTH:  # on slivers the links would be all one sees
            self._paint_link(painter, rect)

    def _paint_strip(self, painter: QPainter, rect: QRectF, strip) -> list[int]:
        """Tile the take's frames along the block by time; returns the frame index of each tile."""
        tile = strip.pixmaps[0].width()
        visible = self.block.duration * self.block.rate
        shown = []
        x = rect.left()
        while x < rect.right():
            frame = self.block.in_frame + (x - rect.left() + tile / 2) / rect.width() * visible
            index = strip.at(frame)
            painter.drawPixmap(QPointF(x, rect.top()), strip.pixmaps[index])
            shown.append(index * strip.step)
            x += tile
        painter.fillRect(QRectF(rect.left(), rect.top(), rect.width(), 34), QColor(0, 0, 0, 150))  # text stays readable
        return shown

    def _state(self) -> str:
        if self.progress is not None:
            return "rendering"
        if self.queued:
            return "queued"
        return self.block.state or "error"

    def _paint_text(self, painter: QPainter, rect: QRectF, left: float, state: str) -> None:
        room = rect.width() - left - 4
        if room < 24:
            return
        painter.setFont(_NAME_FONT)
        painter.setPen(theme.TEXT)
        metrics = QFontMetrics(_NAME_FONT)
        painter.drawText(
            QPointF(rect.left() + left, rect.top() + 4 + metrics.ascent()),
            metrics.elidedText(self.block.name, Qt.ElideRight, int(room)),
        )
        painter.setFont(_TEXT_FONT)
        small = QFontMetrics(_TEXT_FONT)
        label = state if self.progress is None else f"rendering {self.progress:.0%}"
        if self.block.take and self.progress is None:
            label += f" · {self.block.take}"
        painter.setPen(theme.state_colour(state).lighter(130))
        painter.drawText(
            QPointF(rect.left() + left, rect.bottom() - STATE_BAR - 4 - small.descent()),
            small.elidedText(label, Qt.ElideRight, int(room)),
        )
        painter.setPen(theme.TEXT_DIM)
        prompt_box = QRectF(
            rect.left() + left, rect.top() + 6 + metrics.height(), room, rect.height() - 2 * metrics.height() - 16
        )
        if prompt_box.height() >= small.height():
            painter.drawText(prompt_box, Qt.TextWordWrap | Qt.AlignTop | Qt.AlignLeft, self.block.prompt)

    def _paint_link(self, painter: QPainter, rect: QRectF) -> None:
        """Two chain links straddling the cut: this clip continues the previous one's context."""
        centre_y = rect.top() + rect.height() * 0.35
        pen = QPen(theme.CARRY_LINK, 2)
        painter.setPen(pen)
        painter.setBrush(QBrush(QColor(0, 0, 0, 0)))
        for dx in (-LINK_WIDTH / 2 + 1, -2):
            painter.drawRoundedRect(QRectF(rect.left() + dx, centre_y - 3.5, 9, 7), 3.5, 3.5)


def tooltip(block: Block) -> str:
    """Rich text for the clip's tooltip (made on demand by the view: 2,000 up front would cost)."""
    lines = [f"<b>{block.name}</b> — {block.state}" + (f" ({block.take})" if block.take else "")]
    if block.prompt:
        lines.append(block.prompt)
    lines.append(f"{block.duration:.2f} s" + (f" · {block.needs}" if block.needs else ""))
    return "<br>".join(lines)
