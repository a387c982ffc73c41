"""The undo commands: apply a ``timeline_edits.Replacement`` and put the old items back on undo; and
a change to the timeline itself (markers, in/out points, tracks) as a do/undo pair."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from fp_timeline.project.timeline_edits import Replacement, apply, revert

if TYPE_CHECKING:
    from fp_timeline.ui.document import ProjectDocument


class ReplaceItemsCommand(QUndoCommand):
    """Swap a run of a track's children; the removed objects are kept so undo restores them exactly."""

    def __init__(self, document: ProjectDocument, replacement: Replacement) -> None:
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

    def __init__(self, document: ProjectDocument, text: str, do: Callable[[], None], undo: Callable[[], None]) -> None:
        super().__init__(text)
        self._document = document
        self._do, self._undo = do, undo

    def redo(self) -> None:
        self._do()
        self._document.note_edit(None)

    def undo(self) -> None:
        self._undo()
        self._document.note_edit(None)
