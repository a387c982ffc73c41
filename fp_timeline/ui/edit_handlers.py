"""The window's selection handlers: copy, cut, paste, duplicate, select all and nudge.  A mixin of
``MainWindow``; each is one undo step through ``ProjectDocument.edit``."""

from __future__ import annotations

import opentimelineio as otio

from fp_timeline.project import track_edits
from fp_timeline.ui import clipboard
from fp_timeline.ui.clip_handlers import after_carry_chain


class EditHandlers:
    def copy_selected(self) -> bool:
        names = list(self.document.selection)
        if not names:
            return False
        copied = clipboard.copy_clips(self.document.project, names)
        clipboard.to_clipboard(copied)
        self.statusBar().showMessage(f"copied {len(names)} clip(s) with their recipes and takes", 3000)
        return True

    def cut_selected(self) -> None:
        if self.copy_selected():
            names = list(self.document.selection)
            ripple = self.timeline.view.ripple
            self.run_edit(lambda p: _as_cut(track_edits.delete_clips(p, names, ripple)))

    def paste_clips(self, insert: bool = False) -> bool:
        """Paste at the playhead, on the primary selected clip's track (else V1): into the gap
        there, or at the nearest cut (``insert``: always at a cut, pushing what follows)."""
        copied = clipboard.from_clipboard()
        if copied is None:
            self.show_problem("nothing to paste: copy clips first (Ctrl+C)")
            return False
        block = self.timeline.view.layout_data.block(self.document.selected) if self.document.selected else None
        track = block.track if block is not None else self.current_track()
        frame = self.transport.position
        text = f"Paste {len(copied.clips)} clip(s)"
        return self.run_edit(lambda p: clipboard.paste(p, copied, track, frame, insert, text))

    def duplicate_selected(self) -> bool:
        """Copies of the selected clips right after them (after the carry chain they end in)."""
        names = list(self.document.selection)
        if not names:
            return False
        project = self.document.project
        copied = clipboard.copy_clips(project, names)
        track, frame = clipboard.selection_end(project, names)
        index = _child_at(project, track, frame)
        if after_carry_chain(project, track, index) != index:
            frame = _start_of_child(project, track, after_carry_chain(project, track, index))
        text = f"Duplicate {names[0]}" if len(names) == 1 else f"Duplicate {len(names)} clips"
        return self.run_edit(lambda p: clipboard.paste(p, copied, track, frame, True, text))

    def select_all(self) -> None:
        self.document.set_selection([b.name for b in self.timeline.view.layout_data.clips()])

    def nudge_selected(self, frames: int) -> bool:
        """Move the selection ``frames`` frames (, and .): into gaps only, never over a clip."""
        names = list(self.document.selection)
        if not names:
            return False
        project = self.document.project
        starts = track_edits.clip_starts(project)
        if any(starts[n] + frames < 0 for n in names):
            self.show_problem("cannot nudge before the start of the timeline")
            return False
        if not _room_for_nudge(project, names, frames):
            self.show_problem("no room to nudge: a clip is in the way (drag, or turn Ripple on)")
            return False
        return self.run_edit(lambda p: track_edits.move_clips(p, names, frames, 0, ripple=False))


def _as_cut(steps: list) -> list:
    for step in steps:
        step.text = step.text.replace("Ripple delete", "Cut").replace("Delete", "Cut")
    return steps


def _child_at(project, track: int, frame: int) -> int:
    """Index of the first child of ``track`` that starts at or after ``frame``."""
    position = 0
    for index, item in enumerate(project.tracks()[track]):
        if position >= frame:
            return index
        position += track_edits.frames(item, project.rate)
    return len(project.tracks()[track])


def _start_of_child(project, track: int, index: int) -> int:
    children = list(project.tracks()[track])
    return sum(track_edits.frames(item, project.rate) for item in children[:index])


def _room_for_nudge(project, names: list[str], frames: int) -> bool:
    """Each selected clip's neighbour in the nudge direction is a gap at least ``frames`` long,
    another selected clip, or (moving right) the end of its track."""
    selected = set(names)
    step = 1 if frames > 0 else -1
    for track in project.tracks():
        children = list(track)
        for index, item in enumerate(children):
            if not isinstance(item, otio.schema.Clip) or item.name not in selected:
                continue
            neighbour = index + step
            if not 0 <= neighbour < len(children):
                if step < 0:
                    return False
                continue
            other = children[neighbour]
            if isinstance(other, otio.schema.Clip) and other.name in selected:
                continue
            if not isinstance(other, otio.schema.Gap) or track_edits.frames(other, project.rate) < abs(frames):
                return False
    return True
