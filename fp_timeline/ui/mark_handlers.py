"""The window's marker, in/out and go-to handlers (a mixin of ``MainWindow``).  Each marker or
in/out change is one undo step, saved with the project and exported with the cut."""

from __future__ import annotations

import copy

import opentimelineio as otio
from PySide6.QtWidgets import QInputDialog

from fp_timeline.project.timing import frame_of_timecode, timecode
from fp_timeline.ui import marks
from fp_timeline.ui.key_help import KeyHelp


class MarkHandlers:
    # --- markers -----------------------------------------------------------------------------------
    def add_marker(self, name: str | None = None, colour: str = "RED") -> None:
        project = self.document.project
        name = name or marks.next_marker_name(project)
        marker = marks.make_marker(name, self.transport.position, project.rate, colour)
        stack = project.timeline.tracks

        def undo() -> None:
            del stack.markers[list(stack.markers).index(marker)]

        self.document.change(f"Add marker {marker.name}", lambda: stack.markers.append(marker), undo)

    def edit_marker(self, index: int, name: str, colour: str) -> None:
        """Rename and recolour marker ``index`` (one undo step)."""
        stack = self.document.project.timeline.tracks
        old = stack.markers[index]
        new = copy.deepcopy(old)
        new.name = name
        new.color = getattr(otio.schema.MarkerColor, colour.upper(), old.color)

        def put(marker) -> None:
            stack.markers[index] = marker

        self.document.change(f"Edit marker {name}", lambda: put(new), lambda: put(old))

    def remove_marker(self, index: int) -> None:
        stack = self.document.project.timeline.tracks
        marker = stack.markers[index]

        def undo() -> None:
            stack.markers.insert(index, marker)

        def do() -> None:
            del stack.markers[index]

        self.document.change(f"Remove marker {marker.name}", do, undo)

    def _marker_at_playhead(self) -> int | None:
        index = marks.marker_near(self.document.project, self.transport.position, within=2)
        if index is None:
            self.show_problem("no marker at the playhead (M adds one)")
        return index

    def on_edit_marker_triggered(self) -> None:
        index = self._marker_at_playhead()
        if index is None:
            return
        marker = self.document.project.timeline.tracks.markers[index]
        name, ok = QInputDialog.getText(self, "Marker", "Name:", text=marker.name)
        if not ok:
            return
        colours = [c.title() for c in marks.COLOURS]
        current = colours.index(marker.color.title()) if marker.color.title() in colours else 0
        colour, ok = QInputDialog.getItem(self, "Marker", "Colour:", colours, current, False)
        if ok:
            self.edit_marker(index, name.strip() or marker.name, colour)

    def on_remove_marker_triggered(self) -> None:
        index = self._marker_at_playhead()
        if index is not None:
            self.remove_marker(index)

    def go_to_marker(self, step: int) -> None:
        """The playhead to the next (``step`` 1) or previous (-1) marker."""
        rate = self.document.project.rate
        frames = sorted(marks.marker_frame(m, rate) for m in marks.markers(self.document.project))
        here = self.transport.position
        ahead = [f for f in frames if f > here] if step > 0 else [f for f in reversed(frames) if f < here]
        if ahead:
            self.transport.seek(ahead[0])

    # --- in and out points -------------------------------------------------------------------------
    def set_in_out(self, mark_in: int | None, mark_out: int | None, text: str) -> bool:
        project = self.document.project
        before = marks.in_out(project)
        if mark_in is not None and mark_out is not None and mark_out <= mark_in:
            self.show_problem("the out point must come after the in point")
            return False
        self.document.change(
            text, lambda: marks.set_in_out(project, mark_in, mark_out), lambda: marks.set_in_out(project, *before)
        )
        return True

    def mark_in(self) -> bool:
        _, mark_out = marks.in_out(self.document.project)
        position = self.transport.position
        return self.set_in_out(position, mark_out if mark_out is None or mark_out > position else None, "Mark in")

    def mark_out(self) -> bool:
        mark_in, _ = marks.in_out(self.document.project)
        position = self.transport.position + 1  # the out point includes the frame under the playhead
        return self.set_in_out(mark_in if mark_in is None or mark_in < position else None, position, "Mark out")

    def clear_in_out(self) -> None:
        if marks.in_out(self.document.project) != (None, None):
            self.set_in_out(None, None, "Clear in and out")

    def play_range(self) -> tuple[int, int] | None:
        return marks.play_range(self.document.project, self.transport.duration)

    def update_play_range(self) -> None:
        self.transport.set_range(self.play_range())

    def on_keyboard_help_triggered(self) -> None:
        self.key_help = KeyHelp(self.actions, self)
        self.key_help.show()

    # --- go to ---------------------------------------------------------------------------------------
    def go_to_timecode(self, text: str) -> bool:
        """Move the playhead to ``HH:MM:SS:FF``, ``SS:FF``, a frame number or seconds (``12.5s``)."""
        frame = parse_position(text, self.document.project.rate)
        if frame is None:
            self.show_problem(f"not a timecode: {text!r} (try 00:00:05:12, 172 or 5.4s)")
            return False
        self.transport.seek(frame)
        return True

    def on_go_to_timecode_triggered(self) -> None:
        here = timecode(self.transport.position, self.transport.rate)
        text, ok = QInputDialog.getText(self, "Go to timecode", "Timecode, frame or seconds:", text=here)
        if ok:
            self.go_to_timecode(text)


def parse_position(text: str, rate: float) -> int | None:
    """Frames at ``rate`` for a timecode (missing leading fields allowed; drop-frame at 29.97 and 59.94,
    however it is written), a frame count or seconds."""
    text = text.strip().lower()
    try:
        if text.endswith("s"):
            return round(float(text[:-1]) * rate)
        if ":" not in text and ";" not in text:
            return int(text)
        fields = text.replace(";", ":").split(":")
        if len(fields) > 4 or not all(f.isdigit() for f in fields):
            return None
        padded = ["0"] * (4 - len(fields)) + fields
        return frame_of_timecode([int(f) for f in padded], rate)  # as the ruler and viewer label frames
    except (ValueError, TypeError):
        return None
