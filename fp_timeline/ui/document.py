"""The open project as a QObject: the OTIO project, its undo stack, selection and clip states.

Views never touch each other: they listen to this object's signals (OpenShot's listener fan-out)
and change the project only through ``edit()``, which pushes an undoable command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from fp_timeline.engine import registry
from fp_timeline.engine.generator import RuntimeIdentity
from fp_timeline.engine.identity import runtime_identity
from fp_timeline.engine.status import ClipStatus, project_status
from fp_timeline.project.document import (
    Project,
    arrangement_problems,
    new_project,
    open_project,
    save_project,
    save_project_as,
)
from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.timeline_edits import EditRefused, Replacement, apply, revert
from fp_timeline.ui.commands import (
    AddTrackCommand,
    MarkDirtyCommand,
    ReplaceItemsCommand,
    SwapTimelineCommand,
    TimelineChangeCommand,
)
from fp_timeline.ui.memo_project import MemoProject
from fp_timeline.ui.timeline_layout import TimelineLayout, is_locked, layout_timeline

# Untitled projects store their paths relative to the home folder (a stable place across sessions,
# so a recovered untitled autosave still finds its images); "save as" re-points them.
UNTITLED_PATH = Path.home() / "untitled.otio"


class ProjectDocument(QObject):
    """One open project.  ``untitled`` projects have a placeholder path until saved."""

    project_replaced = Signal()  # another project was opened (or a new one made)
    changed = Signal()  # the timeline changed: an edit, undo, redo or a new take
    selection_changed = Signal(object)  # the primary clip name (the last one clicked) or None
    saved = Signal(Path)

    def __init__(self, project: Project | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.project: MemoProject = MemoProject.wrap(project or new_project(UNTITLED_PATH, name="untitled"))
        self.untitled = project is None
        self.selection: list[str] = []  # selected clips, the primary (the inspector's) last
        self._statuses: dict[str, ClipStatus] | None = None
        self._layout: TimelineLayout | None = None
        self.status_error: str | None = None
        self.render_options: dict[str, Any] = {}  # what renders use (the preset): states are judged by it

    # --- files -----------------------------------------------------------------------------------
    def open(self, path: Path) -> list[Problem]:
        """Load a project; raises ``ProjectError`` (keeping the current one) when it cannot be edited.

        Missing start images do not stop it: the editor is where they get fixed, so the project
        opens and those problems are returned for the window to show.
        """
        project, problems = open_project(path, MemoProject)  # keeps the recipes it parsed
        self.replace_project(project, untitled=False)
        return problems

    def new(self) -> None:
        self.replace_project(new_project(UNTITLED_PATH, name="untitled"), untitled=True)

    def replace_project(self, project: Project, untitled: bool = False, dirty: bool = False) -> None:
        self.project = MemoProject.wrap(project)
        self.untitled = untitled
        self.selection = []
        self._statuses = None
        self._layout = None
        self.undo_stack.clear()
        if dirty:  # recovered, with nothing to go back to: unsaved until the user saves it
            self.undo_stack.resetClean()
            self.undo_stack.push(MarkDirtyCommand())
        self.project_replaced.emit()
        self.changed.emit()
        self.selection_changed.emit(None)

    def recover(self, recovered: Project) -> None:
        """Put an autosaved timeline over the open project as one undo step: undo goes back to the
        saved file, and the project counts as unsaved until saved."""
        self.undo_stack.push(SwapTimelineCommand(self, recovered.timeline, "Recover autosave"))

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
    def edit(
        self, replacement: Replacement | list[Replacement] | None, text: str | None = None, check_locks: bool = True
    ) -> bool:
        """Check and push an edit (one replacement, or several as one undo step).

        Raises ``EditRefused`` if it would make the project invalid; returns False for no edit.
        """
        replacements = [replacement] if isinstance(replacement, Replacement) else list(replacement or [])
        replacements = [r for r in replacements if not _changes_nothing(self.project, r)]
        if not replacements:  # e.g. a trim that snapped back: no undo step
            return False
        tracks = self.project.tracks()
        locked = [tracks[r.track].name for r in replacements if check_locks and is_locked(tracks[r.track])]
        if locked:  # (a finished render still lands its take: check_locks=False)
            raise EditRefused(Problem(f"track {locked[0]} is locked (unlock it in its header)"))
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

    def change(self, text: str, do, undo) -> None:
        """Push a change to the timeline that is not a replacement (markers, in/out, tracks)."""
        self.undo_stack.push(TimelineChangeCommand(self, text, do, undo))

    def add_track(self) -> str:
        """Append a video track (undoable); returns its name."""
        command = AddTrackCommand(self)
        self.undo_stack.push(command)
        return command.track.name

    def note_edit(self, select: str | list[str] | None) -> None:
        """Called by commands after they change the timeline: select what the edit made, and never
        keep a clip selected that is gone (an undone insert names a clip that no longer exists)."""
        self._statuses = None
        self._layout = None
        names = self.clip_names()
        wanted = [select] if isinstance(select, str) else list(select or [])
        wanted = [n for n in wanted if n in names]
        self.set_selection(wanted or [n for n in self.selection if n in names])
        self.changed.emit()

    def clip_names(self) -> set[str]:
        return {clip.name for clip in self.project.generated_clips()}

    @property
    def selected(self) -> str | None:
        """The primary selected clip: the one the inspector shows and single-clip commands act on."""
        return self.selection[-1] if self.selection else None

    def select(self, name: str | None) -> None:
        self.set_selection([] if name is None else [name])

    def set_selection(self, names: list[str]) -> None:
        """Select ``names`` (the last is the primary); emits only when something changed."""
        unique = list(dict.fromkeys(names))
        if unique != self.selection:
            self.selection = unique
            self.selection_changed.emit(self.selected)

    def toggle_selected(self, name: str) -> None:
        """Ctrl-click: add a clip to the selection, or take it out."""
        if name in self.selection:
            self.set_selection([n for n in self.selection if n != name])
        else:
            self.set_selection([*self.selection, name])

    # --- state -----------------------------------------------------------------------------------
    def statuses(self) -> dict[str, ClipStatus]:
        """Each generated clip's state (cached until the next edit)."""
        if self._statuses is None:
            try:
                self._statuses = {row.clip: row for row in project_status(self.project, self.render_options)}
                self.project.forget_removed()
                self.status_error = None
            except ProjectError as err:  # e.g. a generator that is not installed: show, don't crash
                self._statuses = {}
                self.status_error = str(err)
        return self._statuses

    def set_render_options(self, options: dict[str, Any]) -> None:
        """Renders now use ``options`` (e.g. another preset): every clip's state is judged anew."""
        self.render_options = dict(options)
        self.refresh()

    def runtime_identity(self, generator_id: str) -> RuntimeIdentity | None:
        """The model ``generator_id`` renders with now; None when it cannot say (not installed, bad option)."""
        try:
            return runtime_identity(generator_id, self.render_options)
        except ProjectError:
            return None

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


def _changes_nothing(project: Project, replacement: Replacement) -> bool:
    """True when the replacement puts back exactly what is there."""
    track = project.tracks()[replacement.track]
    if replacement.count != len(replacement.items) or replacement.start + replacement.count > len(track):
        return False
    for offset, item in enumerate(replacement.items):
        current = track[replacement.start + offset]
        if item is not current and item.to_json_string() != current.to_json_string():
            return False
    return True
