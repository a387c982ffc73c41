"""The editor window: viewer over timeline in the middle, inspector and render queue docked right.

The window wires the parts together and owns the file and clip commands; the parts talk to each
other only through the document, the transport and the render queue.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QToolBar,
)

from fp_timeline.project.errors import ProjectError
from fp_timeline.project.takes import takes_of
from fp_timeline.ui import autosave, timeline_edits
from fp_timeline.ui.actions import WindowActions, create_actions
from fp_timeline.ui.autosave import Autosaver
from fp_timeline.ui.clip_defaults import snapped_frames
from fp_timeline.ui.conform_task import ConformTask
from fp_timeline.ui.document import UNTITLED_PATH, ProjectDocument
from fp_timeline.ui.export_bridge import ExportChoice, export, export_choices, export_problems, exporter_available
from fp_timeline.ui.inspector import Inspector
from fp_timeline.ui.queue_panel import QueuePanel
from fp_timeline.ui.recent_files import RecentFiles
from fp_timeline.ui.render_queue import RenderQueue
from fp_timeline.ui.timeline_ruler import timecode
from fp_timeline.ui.timeline_widget import TimelineWidget
from fp_timeline.ui.transport import Transport
from fp_timeline.ui.viewer import Viewer

APP_NAME = "fp-timeline"
FILE_FILTER = "fp-timeline projects (*.otio)"


class MainWindow(QMainWindow):
    def __init__(
        self,
        document: ProjectDocument | None = None,
        settings: QSettings | None = None,
        autosave_interval_s: float = autosave.DEFAULT_INTERVAL_S,
        render_options: dict | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.document = document or ProjectDocument(parent=self)
        self.settings = settings or QSettings(APP_NAME, APP_NAME)
        self.recent = RecentFiles(self.settings)
        self.transport = Transport(self)
        options = (
            render_options if render_options is not None else {"preset": self.settings.value("render/preset", "auto")}
        )
        self.queue = RenderQueue(self.document, options, self)
        self.timeline = TimelineWidget(self.document, self.transport)
        self.viewer = Viewer(self.document, self.transport)
        self.inspector = Inspector(self.document)
        self.queue_panel = QueuePanel(self.queue)
        self.autosaver = Autosaver(self.document, autosave_interval_s, self)
        self.conform = ConformTask(self)
        self.actions = create_actions(self, self.document.undo_stack)
        self._build_layout()
        self._build_menus()
        self._connect()
        self.resize(1440, 900)
        self._restore_geometry()
        self.update_title()
        self.update_actions()
        self.update_status()

    # --- construction ------------------------------------------------------------------------
    def _build_layout(self) -> None:
        centre = QSplitter(Qt.Vertical)
        centre.addWidget(self.viewer)
        centre.addWidget(self.timeline)
        centre.setStretchFactor(0, 3)
        centre.setStretchFactor(1, 2)
        centre.setSizes([600, 260])
        self.setCentralWidget(centre)
        self.inspector_dock = self._dock("Inspector", self.inspector, "inspector")
        self.queue_dock = self._dock("Render Queue", self.queue_panel, "queue")
        self.resizeDocks([self.inspector_dock], [400], Qt.Horizontal)
        self.resizeDocks([self.inspector_dock, self.queue_dock], [620, 230], Qt.Vertical)
        self.status_label = QLabel()
        self.conform_bar = QProgressBar()  # shown while a movie export runs
        self.conform_bar.setMaximumWidth(220)
        self.conform_bar.setFormat("movie %p%")
        self.conform_bar.hide()
        self.statusBar().addPermanentWidget(self.conform_bar)
        self.statusBar().addPermanentWidget(self.status_label)

    def _restore_geometry(self) -> None:
        geometry, state = self.settings.value("window/geometry"), self.settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def _dock(self, title: str, widget, name: str) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable)
        self.addDockWidget(Qt.RightDockWidgetArea, dock)
        return dock

    def _build_menus(self) -> None:
        a: WindowActions = self.actions
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([a.new, a.open])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self.on_recent_menu_about_to_show)
        file_menu.addSeparator()
        file_menu.addActions([a.save, a.save_as, a.export, a.export_movie])
        file_menu.addSeparator()
        file_menu.addAction(a.quit)
        edit = bar.addMenu("&Edit")
        edit.addActions([a.undo, a.redo])
        edit.addSeparator()
        edit.addActions([a.add_clip, a.add_track, a.split, a.delete, a.ripple_delete])
        clip = bar.addMenu("&Clip")
        clip.addActions([a.render_stale, a.rerender, a.extend, a.next_take, a.cancel_renders])
        view = bar.addMenu("&View")
        view.addActions([a.zoom_in, a.zoom_out, a.zoom_fit])
        view.addSeparator()
        view.addActions([a.previous_clip, a.next_clip])
        view.addSeparator()
        view.addActions([self.inspector_dock.toggleViewAction(), self.queue_dock.toggleViewAction()])
        play = bar.addMenu("&Playback")
        play.addActions(
            [a.play_pause, a.shuttle_back, a.stop, a.shuttle_forward, a.step_back, a.step_forward, a.go_start, a.go_end]
        )
        tools = QToolBar("Main", self)
        tools.setObjectName("main_toolbar")
        tools.setMovable(False)
        tools.setToolButtonStyle(Qt.ToolButtonTextOnly)
        tools.addActions([a.open, a.save])
        tools.addSeparator()
        tools.addActions([a.undo, a.redo])
        tools.addSeparator()
        tools.addActions([a.add_clip, a.split, a.delete])
        tools.addSeparator()
        tools.addActions([a.render_stale, a.rerender, a.extend, a.next_take])
        tools.addSeparator()
        tools.addActions([a.export, a.export_movie])
        tools.addSeparator()
        tools.addAction(a.zoom_fit)
        self.addToolBar(tools)
        self.timeline.view.context_actions = [a.rerender, a.extend, a.next_take, a.split, a.delete, a.ripple_delete]

    def _connect(self) -> None:
        a = self.actions
        d = self.document
        a.new.triggered.connect(self.on_new_triggered)
        a.open.triggered.connect(self.on_open_triggered)
        a.save.triggered.connect(self.on_save_triggered)
        a.save_as.triggered.connect(self.on_save_as_triggered)
        a.export.triggered.connect(self.on_export_triggered)
        a.export_movie.triggered.connect(self.on_export_movie_triggered)
        self.conform.progressed.connect(self.on_conform_progressed)
        self.conform.finished.connect(self.on_conform_finished)
        a.quit.triggered.connect(self.close)
        a.add_clip.triggered.connect(self.on_add_clip_triggered)
        a.add_track.triggered.connect(self.document.add_track)
        a.split.triggered.connect(self.on_split_triggered)
        a.delete.triggered.connect(lambda: self.delete_selected(ripple=False))
        a.ripple_delete.triggered.connect(lambda: self.delete_selected(ripple=True))
        a.render_stale.triggered.connect(lambda: self.start_render(None))
        a.rerender.triggered.connect(self.on_rerender_triggered)
        a.extend.triggered.connect(self.on_extend_triggered)
        a.next_take.triggered.connect(self.on_next_take_triggered)
        a.cancel_renders.triggered.connect(self.on_cancel_renders_triggered)
        view = self.timeline.view
        a.zoom_in.triggered.connect(lambda: view.set_zoom(view.pps * 1.5))
        a.zoom_out.triggered.connect(lambda: view.set_zoom(view.pps / 1.5))
        a.zoom_fit.triggered.connect(view.zoom_to_fit)
        t = self.transport
        a.play_pause.triggered.connect(t.toggle)
        a.shuttle_back.triggered.connect(t.shuttle_backward)
        a.stop.triggered.connect(t.pause)
        a.shuttle_forward.triggered.connect(t.shuttle_forward)
        a.step_back.triggered.connect(lambda: t.step(-1))
        a.step_forward.triggered.connect(lambda: t.step(1))
        a.go_start.triggered.connect(lambda: t.seek(0))
        a.go_end.triggered.connect(lambda: t.seek(t.duration))
        a.previous_clip.triggered.connect(lambda: view.select_neighbour(-1))
        a.next_clip.triggered.connect(lambda: view.select_neighbour(1))
        d.undo_stack.cleanChanged.connect(self.on_undo_stack_clean_changed)
        d.project_replaced.connect(self.on_document_project_replaced)
        d.changed.connect(self.on_document_changed)
        d.selection_changed.connect(self.on_document_selection_changed)
        self.queue.running_changed.connect(self.on_queue_running_changed)
        self.queue.jobs_changed.connect(self.on_queue_jobs_changed)
        self.queue.job_updated.connect(self.on_queue_job_updated)
        self.queue.render_failed.connect(self.on_queue_render_failed)
        self.queue.preview_changed.connect(self.on_queue_preview_changed)
        view.edit_refused.connect(self.show_problem)
        self.inspector.problem_reported.connect(self.show_problem)
        self.inspector.take_requested.connect(self.on_inspector_take_requested)

    # --- dialogs (methods, so tests can replace them) ---------------------------------------------
    def ask(self, title: str, text: str, buttons=QMessageBox.Yes | QMessageBox.No, default=QMessageBox.No):
        return QMessageBox.question(self, title, text, buttons, default)

    def warn(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    def show_problem(self, text: str) -> None:
        self.statusBar().showMessage(text.splitlines()[0] if text else "", 8000)

    # --- state display -------------------------------------------------------------------------
    def update_title(self) -> None:
        mark = "*" if self.document.dirty else ""
        self.setWindowTitle(f"{self.document.title}{mark} — {APP_NAME}")

    def update_actions(self) -> None:
        a = self.actions
        selected = self.document.selected is not None
        running = self.queue.running
        for action in (a.split, a.delete, a.ripple_delete, a.rerender, a.extend):
            action.setEnabled(selected)
        a.rerender.setEnabled(selected and not running)
        a.extend.setEnabled(selected and not running)
        a.render_stale.setEnabled(not running)
        a.cancel_renders.setEnabled(running or self.conform.running)
        a.export_movie.setEnabled(bool(self.document.statuses()) and not self.conform.running)
        clip = self._selected_clip()
        a.next_take.setEnabled(clip is not None and len(takes_of(clip)) > 1)
        available = exporter_available()
        a.export.setEnabled(available and bool(self.document.statuses()))
        a.export.setToolTip(
            "Export the cut for another editor (Resolve, Premiere, EDL, OTIO)"
            if available
            else "Export needs the OTIO adapters package (fp_timeline_otio), which is not installed"
        )

    def update_status(self) -> None:
        statuses = self.document.statuses()
        counts = {
            s: sum(1 for r in statuses.values() if r.state.value == s) for s in ("rendered", "stale", "unrendered")
        }
        rate = self.document.project.rate
        duration = timecode(self.transport.duration, rate)
        text = f"{len(statuses)} clips · " + " · ".join(f"{n} {s}" for s, n in counts.items()) + f" · {duration}"
        if self.document.status_error:
            text += f" · {self.document.status_error.splitlines()[0]}"
        self.status_label.setText(text)

    def _selected_clip(self):
        if self.document.selected is None:
            return None
        try:
            return self.document.project.clip(self.document.selected)
        except ProjectError:
            return None

    # --- document and queue signals -------------------------------------------------------------
    def on_undo_stack_clean_changed(self, clean: bool) -> None:
        self.update_title()

    def on_document_project_replaced(self) -> None:
        self.update_title()
        self.transport.seek(0)

    def on_document_changed(self) -> None:
        self.update_title()
        self.update_actions()
        self.update_status()

    def on_document_selection_changed(self, name: object) -> None:
        self.update_actions()

    def on_queue_running_changed(self, running: bool) -> None:
        self.update_actions()
        if not running:
            done = sum(r.state == "done" for r in self.queue.rows.values())
            self.statusBar().showMessage(f"render finished: {done} of {len(self.queue.rows)} clips", 8000)

    def on_queue_jobs_changed(self) -> None:
        for row in self.queue.rows.values():
            self.on_queue_job_updated(row.clip)

    def on_queue_job_updated(self, clip: str) -> None:
        row = self.queue.rows.get(clip)
        if row is None:
            return
        active = row.state in ("queued", "rendering")
        self.timeline.view.set_render_mark(clip, row.fraction if row.state == "rendering" else None, active)
        if row.state == "done" and not self.document.untitled:
            # A new take is an unsaved edit: autosave now, so a crash cannot lose a finished render.
            self.autosaver.save_now()

    def on_queue_preview_changed(self, clip: str) -> None:
        self.viewer.set_preview(clip, self.queue.previews.get(clip))

    def on_queue_render_failed(self, clip: str, message: str) -> None:
        self.show_problem(f"{clip}: {message}")

    def on_inspector_take_requested(self, clip: str, key: str) -> None:
        self.run_edit(lambda p: timeline_edits.switch_take(p, clip, key))

    # --- files -----------------------------------------------------------------------------------
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
            if (
                found is not None
                and self.ask(
                    "Recover unsaved changes?",
                    f"{path.name} has unsaved changes from a session that did not close cleanly "
                    f"(autosaved {found.name}). Recover them?",
                )
                == QMessageBox.Yes
            ):
                self.document.replace_project(autosave.read_autosave(found, path), untitled=False, dirty=True)
            else:
                if found is not None:
                    autosave.discard(path)
                self.document.open(path)
        except ProjectError as err:
            self.warn("Could not open project", str(err))
            return False
        self.recent.add(path)
        self.timeline.view.zoom_to_fit()
        return True

    def recover_untitled(self) -> bool:
        """Offer back an untitled project that a crashed editor autosaved; True if recovered."""
        orphans = autosave.orphaned_untitled()
        if not orphans:
            return False
        newest = orphans[0]
        answer = self.ask(
            "Recover unsaved project?",
            f"An untitled project was not saved when the editor last closed (autosaved {newest.name}). Recover it?",
        )
        recovered = False
        if answer == QMessageBox.Yes:
            try:
                project = autosave.read_autosave(newest, UNTITLED_PATH)
                self.document.replace_project(project, untitled=True, dirty=True)
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

    def on_export_triggered(self) -> None:
        problems = export_problems(self.document.project)
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
            written = export(self.document.project, choice, path)
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
        try:
            self.conform.start(self.document.project, path.with_suffix(".mp4"))
        except RuntimeError as err:
            self.show_problem(str(err))
            return False
        self.conform_bar.setValue(0)
        self.conform_bar.show()
        self.update_actions()
        return True

    def on_conform_progressed(self, step: int, total: int) -> None:
        self.conform_bar.setMaximum(total)
        self.conform_bar.setValue(step)

    def on_conform_finished(self, result: object, message: str) -> None:
        self.conform_bar.hide()
        self.update_actions()
        if result is not None:
            self.statusBar().showMessage(f"exported movie {result.path} ({result.frames} frames)", 8000)
        elif message == "cancelled":
            self.statusBar().showMessage("movie export cancelled", 4000)
        else:
            self.warn("Movie export failed", message)

    def on_cancel_renders_triggered(self) -> None:
        self.queue.cancel(None)
        self.conform.cancel()

    # --- clip commands ----------------------------------------------------------------------------
    def run_edit(self, build) -> bool:
        """Build an edit from the project and push it; problems go to the status bar."""
        try:
            return self.document.edit(build(self.document.project))
        except ProjectError as err:
            self.show_problem(str(err))
            return False

    def on_add_clip_triggered(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Add clips from images", str(self.document.project.folder), "Images (*.png *.jpg *.jpeg *.webp *.bmp)"
        )
        if paths:
            self.add_clips_at_playhead([Path(p) for p in paths])

    def add_clips_at_playhead(self, paths: list[Path]) -> None:
        view = self.timeline.view
        try:
            view.add_image_clips(paths, 0, view.playhead_x())
        except ProjectError as err:
            self.show_problem(str(err))

    def on_split_triggered(self) -> None:
        name = self.document.selected
        block = self.timeline.view.layout_data.block(name) if name else None
        if block is None:
            return
        at = round((self.transport.position / self.transport.rate - block.start) * block.rate)
        project = self.document.project
        generator = project.recipe(project.clip(name)).generator
        self.run_edit(
            lambda p: timeline_edits.split(p, name, at, lambda f, carried: snapped_frames(generator, f, carried))
        )

    def delete_selected(self, ripple: bool) -> None:
        name = self.document.selected
        if name is not None:
            self.run_edit(lambda p: timeline_edits.delete(p, name, ripple))

    def start_render(self, targets: list[str] | None, chain: bool = False) -> int:
        self.inspector.commit_pending()  # render what the inspector shows, not what it showed before typing
        try:
            count = self.queue.render(targets, chain)
        except ProjectError as err:
            self.show_problem(str(err))
            if self.document.untitled:
                self.warn("Save first", str(err))
            return 0
        self.statusBar().showMessage(f"rendering {count} clip(s)" if count else "everything is rendered", 4000)
        return count

    def on_rerender_triggered(self) -> None:
        if self.document.selected is not None:
            self.start_render([self.document.selected])

    def on_extend_triggered(self) -> None:
        name = self.document.selected
        if name is None:
            return
        prompt, ok = QInputDialog.getText(self, "Extend shot", f"Continue {name} with the prompt:")
        if ok and prompt.strip():
            self.extend_shot(name, prompt.strip())

    def extend_shot(self, name: str, prompt: str, render: bool = True) -> str | None:
        """Insert a clip that carries on from ``name`` with a new prompt, and render it."""
        try:
            edit = timeline_edits.extend(self.document.project, name, prompt)
            self.document.edit(edit)
        except ProjectError as err:
            self.show_problem(str(err))
            return None
        if render:
            self.start_render([edit.select])
        return edit.select

    def on_next_take_triggered(self) -> None:
        clip = self._selected_clip()
        if clip is None:
            return
        keys = [t.key for t in takes_of(clip)]
        if len(keys) < 2:
            return
        current = clip.active_media_reference_key
        following = keys[(keys.index(current) + 1) % len(keys)] if current in keys else keys[-1]
        self.run_edit(lambda p: timeline_edits.switch_take(p, clip.name, following))

    # --- closing -----------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        self.inspector.commit_pending()
        if self.queue.running or self.conform.running:
            answer = self.ask("Render running", "A render is running. Cancel it and close?")
            if answer != QMessageBox.Yes:
                event.ignore()
                return
            self.on_cancel_renders_triggered()
            self.queue.wait()
            self.conform.wait()
        if not self.maybe_save():
            event.ignore()
            return
        self.autosaver.remove()
        if not self.document.untitled:
            autosave.discard(self.document.project.path)
        self.settings.setValue("render/preset", self.queue.options.get("preset", "auto"))
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        event.accept()
