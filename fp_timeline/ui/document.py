"""The open project as a QObject: the OTIO project, its undo stack, selection and clip states.

Views never touch each other: they listen to this object's signals (OpenShot's listener fan-out)
and change the project only through ``edit()``, which pushes an undoable command.
"""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from fp_timeline.engine import registry
from fp_timeline.engine.status import ClipStatus, project_status
from fp_timeline.project.document import (
    Project,
    arrangement_problems,
    load_project,
    new_project,
    save_project,
    save_project_as,
)
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.ui.commands import ReplaceItemsCommand
from fp_timeline.ui.memo_project import MemoProject
from fp_timeline.ui.timeline_edits import EditRefused, Replacement, apply, revert
from fp_timeline.ui.timeline_layout import TimelineLayout, layout_timeline

# Untitled projects store their paths relative to the home folder (a stable place across sessions,
# so a recovered untitled autosave still finds its images); "save as" re-points them.
UNTITLED_PATH = Path.home() / "untitled.otio"


class ProjectDocument(QObject):
    """One open project.  ``untitled`` projects have a placeholder path until saved."""

    project_replaced = Signal()  # another project was opened (or a new one made)
    changed = Signal()  # the timeline changed: an edit, undo, redo or a new take
    selection_changed = Signal(object)  # clip name or None
    saved = Signal(Path)

    def __init__(self, project: Project | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.project: MemoProject = MemoProject.wrap(project or new_project(UNTITLED_PATH, name="untitled"))
        self.untitled = project is None
        self.selected: str | None = None
        self._statuses: dict[str, ClipStatus] | None = None
        self._layout: TimelineLayout | None = None
        self.status_error: str | None = None

    # --- files -----------------------------------------------------------------------------------
    def open(self, path: Path) -> list[Problem]:
        """Load a project; raises ``ProjectError`` (keeping the current one) when it cannot be edited.

        Missing start images do not stop it: the editor is where they get fixed, so the project
        opens and those problems are returned for the window to show.
        """
        try:
            project, problems = load_project(path), []
        except ProjectError as err:
            if not err.problems or any(p.field != "image" for p in err.problems):
                raise
            project, problems = _read_as_is(Path(path)), err.problems
        self.replace_project(project, untitled=False)
        return problems

    def new(self) -> None:
        self.replace_project(new_project(UNTITLED_PATH, name="untitled"), untitled=True)

    def replace_project(self, project: Project, untitled: bool = False, dirty: bool = False) -> None:
        self.project = MemoProject.wrap(project)
        self.untitled = untitled
        self.selected = None
        self._statuses = None
        self._layout = None
        self.undo_stack.clear()
        if dirty:  # a recovered autosave: unsaved until the user saves it
            self.undo_stack.resetClean()
            self.undo_stack.push(_MarkDirty())
        self.project_replaced.emit()
        self.changed.emit()
        self.selection_changed.emit(None)

    def save(self, path: Path | None = None) -> Path:
        """Save in place, or as ``path`` (the project then lives there)."""
        if path is not None:
            self.project = MemoProject.wrap(save_project_as(self.project, Path(path), registry.media_fields))
            self.untitled = False
            self.project_replaced.emit()
        elif self.untitled:
            raise ProjectError("an untitled project needs a file name: use save as")
        else:
            save_project(self.project)
        self.undo_stack.setClean()
        self.saved.emit(self.project.path)
        return self.project.path

    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def title(self) -> str:
        return "untitled" if self.untitled else self.project.path.name

    # --- edits -----------------------------------------------------------------------------------
    def edit(self, replacement: Replacement | list[Replacement] | None, text: str | None = None) -> bool:
        """Check and push an edit (one replacement, or several as one undo step).

        Raises ``EditRefused`` if it would make the project invalid; returns False for no edit.
        """
        replacements = [replacement] if isinstance(replacement, Replacement) else list(replacement or [])
        if not replacements:
            return False
        # Try it, compare structural problems, take it back: refuse edits that break the project.
        before = {str(p) for p in arrangement_problems(self.project)}
        done: list[tuple[Replacement, list]] = []
        try:
            for step in replacements:
                done.append((step, apply(self.project, step)))
            new = [p for p in arrangement_problems(self.project) if str(p) not in before]
        finally:
            for step, removed in reversed(done):
                revert(self.project, step, removed)
        if new:
            raise EditRefused(new)
        if len(replacements) == 1:
            self.undo_stack.push(ReplaceItemsCommand(self, replacements[0]))
            return True
        self.undo_stack.beginMacro(text or replacements[-1].text)
        for step in replacements:
            self.undo_stack.push(ReplaceItemsCommand(self, step))
        self.undo_stack.endMacro()
        return True

    def add_track(self) -> str:
        """Append a video track (undoable); returns its name."""
        command = AddTrackCommand(self)
        self.undo_stack.push(command)
        return command.track.name

    def note_edit(self, select: str | None) -> None:
        """Called by commands after they change the timeline."""
        self._statuses = None
        self._layout = None
        self.changed.emit()
        if select is not None:
            self.select(select)
        elif self.selected is not None and self.selected not in self.statuses():
            self.select(None)

    def select(self, name: str | None) -> None:
        if name != self.selected:
            self.selected = name
            self.selection_changed.emit(name)

    # --- state -----------------------------------------------------------------------------------
    def statuses(self) -> dict[str, ClipStatus]:
        """Each generated clip's state (cached until the next edit)."""
        if self._statuses is None:
            try:
                self._statuses = {row.clip: row for row in project_status(self.project)}
                self.project.forget_removed()
                self.status_error = None
            except ProjectError as err:  # e.g. a generator that is not installed: show, don't crash
                self._statuses = {}
                self.status_error = str(err)
        return self._statuses

    def layout(self) -> TimelineLayout:
        """Where every item sits (cached until the next edit; shared by the timeline and viewer)."""
        if self._layout is None:
            self._layout = layout_timeline(self.project, self.statuses())
        return self._layout

    def refresh(self) -> None:
        """Recompute states (e.g. a start image changed on disk)."""
        self._statuses = None
        self._layout = None
        self.changed.emit()


def _read_as_is(path: Path) -> Project:
    """The project's timeline without the start-image check (``load_project`` already did the rest)."""
    timeline = otio.adapters.read_from_file(str(path), adapter_name="otio_json")  # never runs plugin code
    return Project(path=Path(path).resolve(), timeline=timeline)


class AddTrackCommand(QUndoCommand):
    def __init__(self, document: ProjectDocument) -> None:
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


class _MarkDirty(QUndoCommand):
    """An empty step so a recovered project counts as unsaved."""

    def __init__(self) -> None:
        super().__init__("Recovered autosave")
