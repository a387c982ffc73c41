"""The window's file handlers: new, open (with crash recovery), save, save as, recent files, export
and Export Movie.  A mixin of ``MainWindow``: it uses the window's document, dialogs and status bar."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from fp_timeline.project.errors import ProjectError
from fp_timeline.ui import autosave, marks
from fp_timeline.ui.conform_task import ConformEnd, ConformOutcome
from fp_timeline.ui.document import UNTITLED_PATH
from fp_timeline.ui.export_bridge import ExportChoice, export, export_choices, export_problems

FILE_FILTER = "fp-timeline projects (*.otio)"


class FileHandlers:
    def maybe_save(self) -> bool:
        """True when it is fine to drop the current project (saved, discarded, or clean)."""
        if not self.document.dirty:
            return True
        answer = self.ask(
            "Unsaved changes",
            f"Save changes to {self.document.title}?",
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel,
            QMessageBox.Save,
        )
        if answer == QMessageBox.Save:
            return self.save()
        return answer == QMessageBox.Discard

    def on_new_triggered(self) -> None:
        if self.queue.running:
            return self.show_problem("wait for the render to finish (or cancel it) first")
        if self.maybe_save():
            self.autosaver.remove()
            self.document.new()

    def on_open_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", str(self.document.project.folder), FILE_FILTER)
        if path:
            self.open_project(Path(path))

    def open_project(self, path: Path) -> bool:
        """Open a project, offering to recover an autosave a crashed session left behind."""
        if self.queue.running:
            self.show_problem("wait for the render to finish (or cancel it) first")
            return False
        if not self.maybe_save():
            return False
        path = Path(path).resolve()
        try:
            found = autosave.recoverable(path)
            recover = found is not None and (
                self.ask(
                    "Recover unsaved changes?",
                    f"{path.name} has unsaved changes from a session that did not close cleanly "
                    f"(autosaved {found.name}). Recover them? (Edit ▸ Undo goes back to the saved file.)",
                    QMessageBox.Yes | QMessageBox.No,
                    QMessageBox.Yes,  # Enter keeps the work
                )
                == QMessageBox.Yes
            )
            if found is not None and not recover:
                autosave.discard(path)
            problems = self._open_recovering(path, found if recover else None)
            if problems:
                listed = "\n".join(str(p) for p in problems[:8])
                self.warn("Start images missing", f"Choose new start images in the inspector:\n{listed}")
        except ProjectError as err:
            self.warn("Could not open project", str(err))
            return False
        self.recent.add(path)
        self.timeline.view.zoom_to_fit()
        return True

    def _open_recovering(self, path: Path, found: Path | None) -> list:
        """Open ``path``; with an autosave ``found``, put it over the saved project as one undo step."""
        if found is None:
            return self.document.open(path)
        recovered = autosave.read_autosave(found, path)
        try:
            problems = self.document.open(path)
        except ProjectError:  # the saved file itself is unreadable: the autosave is all there is
            self.document.replace_project(recovered, untitled=False, dirty=True)
            return []
        self.document.recover(recovered)
        return problems

    def recover_untitled(self) -> bool:
        """Offer back an untitled project that a crashed editor autosaved; True if recovered."""
        orphans = autosave.orphaned_untitled()
        if not orphans:
            return False
        newest = orphans[0]
        answer = self.ask(
            "Recover unsaved project?",
            f"An untitled project was not saved when the editor last closed (autosaved {newest.name}). Recover it?",
            QMessageBox.Yes | QMessageBox.No,
            QMessageBox.Yes,
        )
        recovered = False
        if answer == QMessageBox.Yes:
            try:
                project = autosave.read_autosave(newest, UNTITLED_PATH)
                self.document.new()
                self.document.recover(project)
                recovered = True
            except Exception as err:  # a damaged autosave: say so, start empty
                self.warn("Could not recover", str(err))
        for orphan in orphans:
            orphan.unlink(missing_ok=True)
        return recovered

    def save(self) -> bool:
        self.inspector.commit_pending()
        if self.document.untitled:
            return self.save_as()
        try:
            self.document.save()
        except (ProjectError, OSError) as err:
            self.warn("Could not save", str(err))
            return False
        self.statusBar().showMessage(f"saved {self.document.project.path}", 4000)
        return True

    def save_as(self, path: Path | None = None) -> bool:
        self.inspector.commit_pending()
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Save project as", str(self.document.project.path), FILE_FILTER
            )
            if not chosen:
                return False
            path = Path(chosen)
        if path.suffix != ".otio":
            path = path.with_suffix(".otio")
        try:
            self.document.save(path)
        except (ProjectError, OSError) as err:
            self.warn("Could not save", str(err))
            return False
        self.recent.add(path)
        self.update_title()
        return True

    def on_save_triggered(self) -> None:
        self.save()

    def on_save_as_triggered(self) -> None:
        self.save_as()

    def on_recent_menu_about_to_show(self) -> None:
        menu: QMenu = self.recent_menu
        menu.clear()
        for path in self.recent.paths():
            action = menu.addAction(str(path))
            action.setEnabled(path.exists())
            action.triggered.connect(lambda _=False, p=path: self.open_project(p))
        if menu.isEmpty():
            menu.addAction("(none)").setEnabled(False)

    def export_source(self):
        """What Export and Export Movie write: the project, cut to the in/out points when set."""
        span = self.play_range()
        return self.document.project if span is None else marks.trimmed_project(self.document.project, *span)

    def on_export_triggered(self) -> None:
        problems = export_problems(self.export_source())
        if problems:
            shown = "\n".join(problems[:8]) + ("\n…" if len(problems) > 8 else "")
            self.warn("Render first", f"These clips cannot be exported yet:\n{shown}")
            return
        choices = export_choices()
        if not choices:
            return
        path, chosen = QFileDialog.getSaveFileName(
            self,
            "Export",
            str(self.document.project.folder / self.document.project.path.stem),
            ";;".join(c.file_filter for c in choices),
        )
        if path:
            choice = next((c for c in choices if c.file_filter == chosen), choices[0])
            self.export_to(choice, Path(path))

    def export_to(self, choice: ExportChoice, path: Path) -> Path | None:
        try:
            written = export(self.export_source(), choice, path)
        except Exception as err:  # the adapters phrase their own errors; show them, keep the window
            self.warn("Export failed", str(err))
            return None
        self.statusBar().showMessage(f"exported {written} ({choice.name})", 6000)
        return written

    def on_export_movie_triggered(self) -> None:
        default = self.document.project.folder / f"{self.document.project.path.stem}.mp4"
        path, _ = QFileDialog.getSaveFileName(self, "Export movie", str(default), "H.264 movie (*.mp4)")
        if path:
            self.export_movie(Path(path))

    def export_movie(self, path: Path) -> bool:
        """Start rendering the whole cut to ``path`` (an mp4) in the background."""
        self.inspector.commit_pending()
        if not self._confirm_unrendered_movie():
            return False
        try:
            self.conform.start(self.export_source(), path.with_suffix(".mp4"))
        except RuntimeError as err:
            self.show_problem(str(err))
            return False
        self.conform_bar.setValue(0)
        self.conform_bar.show()
        self.update_actions()
        return True

    def _confirm_unrendered_movie(self) -> bool:
        """Say which clips are unrendered or stale before a movie is made of them."""
        states = [row.state.value for row in self.document.statuses().values()]
        unrendered, stale = states.count("unrendered"), states.count("stale")
        if not unrendered and not stale:
            return True
        parts = []
        if unrendered:
            parts.append(f"{unrendered} clip{'s are' if unrendered > 1 else ' is'} not rendered (shown as black)")
        if stale:
            parts.append(f"{stale} clip{'s are' if stale > 1 else ' is'} stale (their older takes are used)")
        answer = self.ask(
            "Export movie",
            " and ".join(parts) + ". Export the movie anyway? (Ctrl+R renders them first.)",
            QMessageBox.Yes | QMessageBox.No,
            QMessageBox.No,
        )
        return answer == QMessageBox.Yes

    def on_conform_progressed(self, step: int, total: int) -> None:
        self.conform_bar.setMaximum(total)
        self.conform_bar.setValue(step)

    def on_conform_finished(self, outcome: ConformOutcome) -> None:
        self.conform_bar.hide()
        self.update_actions()
        if outcome.end is ConformEnd.DONE:
            result = outcome.result
            self.statusBar().showMessage(f"exported movie {result.path} ({result.frames} frames)", 8000)
        elif outcome.end is ConformEnd.CANCELLED:
            self.statusBar().showMessage("movie export cancelled", 4000)
        else:
            self.warn("Movie export failed", outcome.message)

    def on_cancel_renders_triggered(self) -> None:
        self.queue.cancel(None)
        self.conform.cancel()
