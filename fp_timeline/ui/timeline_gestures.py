"""Mouse gestures on the timeline, as NLEs have them (a mixin of ``TimelineView``).

On a clip: click selects it, Ctrl-click adds or removes it, Shift-click selects the range from the
primary clip.  Dragging the body moves the selection in time and across tracks: it lands where it
is dropped (into the gap there, or at the nearest cut when clips are in the way); Ctrl+drag always
inserts, Shift+drag overwrites what it lands on.  Dragging within ``EDGE`` pixels of an edge trims.
On empty timeline a drag draws a rubber band that selects what it touches; a click moves the
playhead there and clears the selection (and selects a gap under it).  Below the lanes a drag scrubs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QMouseEvent

from fp_timeline.engine.registry import snap_frames
from fp_timeline.project import timeline_edits, track_edits
from fp_timeline.project.errors import ProjectError
from fp_timeline.project.overwrite import overwrite
from fp_timeline.ui.clip_item import ClipItem
from fp_timeline.ui.timeline_layout import Block, BlockKind

EDGE = 7  # px: how close to a clip edge a press starts a trim
SNAP = 8  # px
DRAG_START = 4  # px of movement before a press becomes a drag


class GestureKind(Enum):
    MOVE = "move"  # drag clips (to another place or track)
    TRIM_IN = "trim_in"  # drag a clip's left edge
    TRIM_OUT = "trim_out"  # drag a clip's right edge
    BAND = "band"  # rubber-band selection on empty track space
    SCRUB = "scrub"  # below the tracks: move the playhead

    @property
    def trims(self) -> bool:
        return self in (GestureKind.TRIM_IN, GestureKind.TRIM_OUT)


@dataclass
class Gesture:
    kind: GestureKind
    block: Block | None
    press: QPointF  # scene point of the press
    x: float = 0.0
    track: int = 0  # where a move would drop
    modifiers: Qt.KeyboardModifier = Qt.NoModifier
    active: bool = False


class TimelineGestures:
    def hit(self, pos: QPointF) -> tuple[Block | None, GestureKind | None]:
        scene = self.mapToScene(pos.toPoint())
        for item in self.scene().items(scene):
            if isinstance(item, ClipItem) and item.body_rect().contains(item.mapFromScene(scene)):
                local = item.mapFromScene(scene).x()
                edge = min(EDGE, item.width / 4)
                if local <= edge:
                    return item.block, GestureKind.TRIM_IN
                if local >= item.width - edge:
                    return item.block, GestureKind.TRIM_OUT
                return item.block, GestureKind.MOVE
        return None, None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.LeftButton:
            return super().mousePressEvent(event)
        scene = self.mapToScene(event.position().toPoint())
        block, zone = self.hit(event.position())
        modifiers = event.modifiers()
        if block is None:
            below = scene.y() >= self.lane_count() * (self.track_height + self.track_gap)
            self._gesture = Gesture(
                GestureKind.SCRUB if below else GestureKind.BAND, None, scene, scene.x(), modifiers=modifiers
            )
            if below:
                self.seek_x(scene.x())
            return
        if modifiers & Qt.ControlModifier and zone is GestureKind.MOVE:
            self.document.toggle_selected(block.name)
        elif modifiers & Qt.ShiftModifier:
            self.select_range_to(block)
        elif block.name not in self.document.selection or zone is not GestureKind.MOVE:
            self.document.select(block.name)
        self._gesture = Gesture(zone, block, scene, scene.x(), block.track, modifiers)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        scene = self.mapToScene(event.position().toPoint())
        gesture = self._gesture
        if gesture is None:
            _, zone = self.hit(event.position())
            self.viewport().setCursor(Qt.SizeHorCursor if zone is not None and zone.trims else Qt.ArrowCursor)
            return
        moved = abs(scene.x() - gesture.press.x()) + abs(scene.y() - gesture.press.y())
        if not gesture.active and moved < DRAG_START:
            return
        gesture.active = True
        gesture.x = scene.x()
        if gesture.kind is GestureKind.SCRUB:
            self.seek_x(scene.x())
        elif gesture.kind is GestureKind.BAND:
            self.band = QRectF(gesture.press, scene).normalized()
        elif gesture.kind is GestureKind.MOVE:
            self._drag_move(gesture, scene)
        else:
            self._drag_trim(gesture)
        self.viewport().update()

    def _drag_move(self, gesture: Gesture, scene: QPointF) -> None:
        gesture.track = self.track_at(scene.y())
        dx = self.snapped_move(gesture)
        track_delta = gesture.track - gesture.block.track
        for name in self.moving_names(gesture):
            item = self.items.get(name)
            if item is not None:
                item.setOpacity(0.6)
                target = max(0, min(item.block.track + track_delta, self.lane_count() - 1))
                item.setPos(max(0.0, self.x_of(item.block.start) + dx), self.track_y(target))
        self.drop_x = self._landing_cut(gesture, dx)

    def _landing_cut(self, gesture: Gesture, dx: float) -> float | None:
        """Where a plain drop goes when it is not where the clip is drawn (``track_edits.place``'s
        rule), shown as a line so the drop is no surprise; None when it lands as drawn."""
        if gesture.modifiers & Qt.ShiftModifier:
            return None  # overwrite: exactly as drawn
        if self.ripple and gesture.track == gesture.block.track:
            return self.x_of(self.insertion(gesture.track, gesture.x)[1])
        moving = set(self.moving_names(gesture))
        # In frames, as the drop counts them (``frame_delta``): in float seconds, a drag by a part of a
        # frame saw an overlap (and drew an insert line) where the drop then fitted.
        first, end = gesture.block.span
        first = max(0, first + self.frame_delta(dx))
        end = first + end - gesture.block.span[0]
        lane = self.layout_data.tracks[gesture.track] if gesture.track < len(self.layout_data.tracks) else []
        others = [b for b in lane if b.kind is BlockKind.CLIP and b.name not in moving]
        under = next((b for b in others if b.span[0] <= first < b.span[1]), None)
        if under is not None:  # dropped on a clip: the nearest cut
            (low, high) = under.span
            return self.x_of(under.start if first - low < (high - low) / 2 else under.end)
        if gesture.modifiers & Qt.ControlModifier or any(b.span[0] < end and b.span[1] > first for b in others):
            return self.x_of(max(0.0, gesture.block.start + dx / self.pps))  # inserted here, pushing what follows
        return None

    def _drag_trim(self, gesture: Gesture) -> None:
        block = gesture.block
        item = self.items.get(block.name)
        if item is None:
            return
        snapped = self.snap(gesture.x, exclude=block.name)
        gesture.x = snapped
        left, right = self.x_of(block.start), self.x_of(block.end)
        if gesture.kind is GestureKind.TRIM_IN:
            left = min(snapped, right - 2)
        else:
            right = max(snapped, left + 2)
        item.set_geometry(block, left, item.pos().y(), right - left, self.track_height)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        gesture, self._gesture = self._gesture, None
        band, self.band = self.band, None
        self.drop_x = None
        if gesture is None:
            return super().mouseReleaseEvent(event)
        if gesture.kind is GestureKind.BAND:
            self._finish_band(gesture, band)
            return
        if not gesture.active:
            if gesture.kind is GestureKind.MOVE and not gesture.modifiers & (Qt.ControlModifier | Qt.ShiftModifier):
                self.document.select(gesture.block.name)  # a click in a multi-selection selects just it
            return
        try:
            if gesture.kind is GestureKind.MOVE:
                self._finish_move(gesture)
            elif gesture.kind.trims:
                self._finish_trim(gesture)
        except ProjectError as err:
            self.edit_refused.emit(str(err))
        self.rebuild()  # also puts a refused gesture's blocks back

    def _finish_band(self, gesture: Gesture, band: QRectF | None) -> None:
        if band is None:  # a click on empty timeline: playhead there, selection cleared, maybe a gap
            if not gesture.modifiers & (Qt.ControlModifier | Qt.ShiftModifier):
                self.document.select(None)
            self.selected_gap = self.gap_at(gesture.press)
            self.gap_selection_changed.emit()
            self.seek_x(gesture.press.x())
        else:
            touched = [name for name, item in self.items.items() if item.sceneBoundingRect().intersects(band)]
            keep = self.document.selection if gesture.modifiers & (Qt.ControlModifier | Qt.ShiftModifier) else []
            self.document.set_selection([*keep, *sorted(touched, key=self._order_key)])
        self.viewport().update()

    def _finish_move(self, gesture: Gesture) -> None:
        block = gesture.block
        names = self.moving_names(gesture)
        track_delta = gesture.track - block.track
        project = self.document.project
        if self.ripple and track_delta == 0 and len(names) == 1:  # ripple: reorder, closing the gap
            index, _ = self.insertion(gesture.track, gesture.x)
            self.document.edit(timeline_edits.move(project, block.name, index, gesture.track))
            return
        frame_delta = self.frame_delta(self.snapped_move(gesture))
        if frame_delta == 0 and track_delta == 0:
            return
        insert = bool(gesture.modifiers & Qt.ControlModifier)
        put = None
        if gesture.modifiers & Qt.ShiftModifier:  # Shift+drag overwrites what it lands on
            put = lambda children, clip, frame: overwrite(project, children, clip, frame, snap_frames)  # noqa: E731
        edit = track_edits.move_clips(project, names, frame_delta, track_delta, self.ripple, insert, put)
        self.document.edit(edit)

    def _finish_trim(self, gesture: Gesture) -> None:
        block = gesture.block
        if gesture.kind is GestureKind.TRIM_IN:
            delta = round((self.seconds_at(gesture.x) - block.start) * block.rate)
            self.trim(block.name, block.in_frame + delta, block.in_frame + round(block.duration * block.rate))
        else:
            out = block.in_frame + round((self.seconds_at(gesture.x) - block.start) * block.rate)
            self.trim(block.name, block.in_frame, out)

    def moving_names(self, gesture: Gesture) -> list[str]:
        """A drag moves the whole selection when it starts on a selected clip."""
        selection = self.document.selection
        return list(selection) if gesture.block.name in selection else [gesture.block.name]

    def frame_delta(self, dx: float) -> int:
        """A drag of ``dx`` pixels in whole timeline frames."""
        return round(dx / self.pps * self.document.project.rate)

    def snapped_move(self, gesture: Gesture) -> float:
        """Horizontal drag distance, snapped so the moved clip's in or out edge meets a cut or the playhead."""
        dx = gesture.x - gesture.press.x()
        block = gesture.block
        left = self.x_of(block.start) + dx
        right = self.x_of(block.end) + dx
        for edge in (left, right):
            snapped = self.snap(edge, exclude=block.name)
            if snapped != edge:
                return max(dx + snapped - edge, -self.x_of(block.start))
        return max(dx, -self.x_of(block.start))

    def snap(self, x: float, exclude: str) -> float:
        if not self.snapping:
            return x
        candidates = [self.playhead_x(), *self.snap_points()]
        for block in self.layout_data.clips():
            if block.name != exclude:
                candidates += [self.x_of(block.start), self.x_of(block.end)]
        best = min(candidates, key=lambda c: abs(c - x), default=x)
        return best if abs(best - x) <= SNAP else x

    def select_range_to(self, block: Block) -> None:
        """Shift-click: every clip between the primary clip and ``block``, in time and tracks."""
        anchor = self.layout_data.block(self.document.selected) if self.document.selected else None
        if anchor is None:
            self.document.select(block.name)
            return
        first, end = min(anchor.span[0], block.span[0]), max(anchor.span[1], block.span[1])
        low, high = sorted((anchor.track, block.track))
        inside = [
            b.name
            for b in self.layout_data.clips()
            if low <= b.track <= high and b.span[0] >= first and b.span[1] <= end and b.name != block.name
        ]
        self.document.set_selection([*sorted(inside, key=self._order_key), block.name])

    def _order_key(self, name: str) -> tuple[float, int]:
        block = self.layout_data.block(name)
        return (block.start, block.track) if block is not None else (0.0, 0)

    def seek_x(self, x: float) -> None:
        self.transport.seek(round(self.seconds_at(x) * self.transport.rate))

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        """Double-click a clip: the playhead goes to its first frame."""
        block, _ = self.hit(event.position())
        if block is not None:
            self.document.select(block.name)
            self.transport.seek(block.span[0])
