"""The undo commands (``QUndoCommand``): apply a ``timeline_edits.Replacement`` and put the old items back
on undo; a change to the timeline itself (markers, in/out points, tracks) as a do/undo pair; add a track;
swap in a recovered timeline.

"Commands" in this package means these and only these: the window's reactions to its actions are its
*handlers* (``*_handlers.py``), and the CLI's verbs are *subcommands* (``fp_timeline.cli.subcommands``).
A command knows the document only as an ``EditedDocument`` (its project, and whom to tell), so this
module does not import ``document`` (which pushes these commands).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import opentimelineio as otio
from PySide6.QtGui import QUndoCommand

from fp_timeline.project.document import Project
from fp_timeline.project.timeline_edits import Replacement, apply, revert
from fp_timeline.ui.memo_project import MemoProject


class EditedDocument(Protocol):
    """What a command needs of the open document: the project it edits, and a call after each change."""

    project: MemoProject

    def note_edit(self, select: str | list[str] | None) -> None: ...


class ReplaceItemsCommand(QUndoCommand):
    """Swap a run of a track's children; the removed objects are kept so undo restores them exactly."""

    def __init__(self, document: EditedDocument, replacement: Replacement) -> None:
        super().__init__(replacement.text)
        self._document = document
        self._replacement = replacement
        self._removed: list = []

    def redo(self) -> None:
        self._removed = apply(self._document.project, self._replacement)
        self._document.note_edit(self._replacement.select)

    def undo(self) -> None:
        revert(self._document.project, self._replacement, self._removed)
        self._document.note_edit(self._replacement.select)


class TimelineChangeCommand(QUndoCommand):
    """A change that is not a run of a track's children: ``do`` and ``undo`` make and take it back."""

    def __init__(self, document: EditedDocument, text: str, do: Callable[[], None], undo: Callable[[], None]) -> None:
        super().__init__(text)
        self._document = document
        self._do, self._undo = do, undo

    def redo(self) -> None:
        self._do()
        self._document.note_edit(None)

    def undo(self) -> None:
        self._undo()
        self._document.note_edit(None)


class AddTrackCommand(QUndoCommand):
    """Append a video track named after the next free ``V<n>``; undo takes it out again."""

    def __init__(self, document: EditedDocument) -> None:
        names = {t.name for t in document.project.tracks()}
        number = len(names) + 1
        while f"V{number}" in names:
            number += 1
        super().__init__(f"Add track V{number}")
        self._document = document
        self.track = otio.schema.Track(name=f"V{number}", kind=otio.schema.TrackKind.Video)

    def redo(self) -> None:
        self._document.project.timeline.tracks.append(self.track)
        self._document.note_edit(None)

    def undo(self) -> None:
        stack = self._document.project.timeline.tracks
        del stack[stack.index(self.track)]
        self._document.note_edit(None)


class SwapTimelineCommand(QUndoCommand):
    """Swap the whole timeline for another (a recovered autosave), and back on undo."""

    def __init__(self, document: EditedDocument, timeline: otio.schema.Timeline, text: str) -> None:
        super().__init__(text)
        self._document = document
        self._other = timeline

    def _swap(self) -> None:
        current = self._document.project
        self._document.project = MemoProject.wrap(Project(path=current.path, timeline=self._other))
        self._other = current.timeline
        self._document.note_edit(None)

    def redo(self) -> None:
        self._swap()

    def undo(self) -> None:
        self._swap()


class MarkDirtyCommand(QUndoCommand):
    """An empty step so a recovered project counts as unsaved."""

    def __init__(self) -> None:
        super().__init__("Recovered autosave")
