"""The editor window: viewer over timeline in the middle, inspector and render queue docked right.

The window wires the parts together and mixes in the handlers of its actions (``*_handlers.py``); the parts talk to each
other only through the document, the transport and the render queue.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
)

from fp_timeline.engine.store import delete_take_files
from fp_timeline.project import timeline_edits
from fp_timeline.project.errors import ProjectError
from fp_timeline.project.takes import takes_of
from fp_timeline.project.timing import timecode
from fp_timeline.ui import autosave
from fp_timeline.ui.actions import create_actions
from fp_timeline.ui.autosave import Autosaver
from fp_timeline.ui.clip_handlers import ClipHandlers
from fp_timeline.ui.conform_task import ConformTask
from fp_timeline.ui.document import ProjectDocument
from fp_timeline.ui.edit_handlers import EditHandlers
from fp_timeline.ui.file_handlers import FileHandlers
from fp_timeline.ui.inspector import Inspector
from fp_timeline.ui.mark_handlers import MarkHandlers
from fp_timeline.ui.qt_compat import guard_none_refcount
from fp_timeline.ui.queue_panel import QueuePanel
from fp_timeline.ui.recent_files import RecentFiles
from fp_timeline.ui.render_queue import JobState, RenderQueue
from fp_timeline.ui.timeline_widget import TimelineWidget
from fp_timeline.ui.track_handlers import TrackHandlers
from fp_timeline.ui.transport import Transport
from fp_timeline.ui.viewer import Viewer
from fp_timeline.ui.window_menus import build_menus

APP_NAME = "fp-timeline"


class MainWindow(FileHandlers, ClipHandlers, EditHandlers, MarkHandlers, TrackHandlers, QMainWindow):
    def __init__(
        self,
        document: ProjectDocument | None = None,
        settings: QSettings | None = None,
        autosave_interval_s: float = autosave.DEFAULT_INTERVAL_S,
        render_options: dict | None = None,
    ) -> None:
        guard_none_refcount()  # no-op unless PySide6 6.12.0 runs on CPython < 3.12 (see qt_compat)
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
        build_menus(self)
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

    def _connect(self) -> None:
        self._connect_file_and_clip_actions()
        self._connect_view_actions()
        self._connect_edit_and_mark_actions()
        self._connect_parts()

    def _connect_file_and_clip_actions(self) -> None:
        a = self.actions
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
        a.add_track.triggered.connect(self.add_track_above)
        a.lock_track.triggered.connect(lambda: self.toggle_lock())
        a.hide_track.triggered.connect(lambda: self.toggle_hidden())
        a.remove_track.triggered.connect(lambda: self.remove_track())
        self.timeline.headers.track_clicked.connect(self.on_headers_track_clicked)
        self.timeline.ruler.marker_double_clicked.connect(self.on_edit_marker_triggered)
        a.split.triggered.connect(self.on_split_triggered)
        a.delete.triggered.connect(lambda: self.delete_selected(ripple=False))
        a.ripple_delete.triggered.connect(lambda: self.delete_selected(ripple=True))
        a.render_stale.triggered.connect(self.render_stale)
        a.rerender.triggered.connect(self.on_rerender_triggered)
        a.rerender_chain.triggered.connect(self.on_rerender_chain_triggered)
        a.variations.triggered.connect(self.on_variations_triggered)
        a.extend.triggered.connect(self.on_extend_triggered)
        a.bridge.triggered.connect(self.on_bridge_triggered)
        a.next_take.triggered.connect(self.on_next_take_triggered)
        a.cancel_renders.triggered.connect(self.on_cancel_renders_triggered)

    def _connect_view_actions(self) -> None:
        """Zoom, transport, ripple and snapping."""
        a, view, t = self.actions, self.timeline.view, self.transport
        a.zoom_in.triggered.connect(lambda: view.set_zoom(view.pps * 1.5))
        a.zoom_out.triggered.connect(lambda: view.set_zoom(view.pps / 1.5))
        a.zoom_fit.triggered.connect(view.zoom_to_fit)
        a.play_pause.triggered.connect(t.toggle)
        a.shuttle_back.triggered.connect(t.shuttle_backward)
        a.stop.triggered.connect(t.pause)
        a.shuttle_forward.triggered.connect(t.shuttle_forward)
        a.step_back.triggered.connect(lambda: t.step(-1))
        a.step_forward.triggered.connect(lambda: t.step(1))
        a.go_start.triggered.connect(lambda: t.seek(0))
        a.go_end.triggered.connect(lambda: t.seek(t.duration))
        a.ripple.toggled.connect(lambda on: setattr(view, "ripple", on))
        a.snapping.toggled.connect(lambda on: setattr(view, "snapping", on))
        a.previous_clip.triggered.connect(lambda: view.select_neighbour(-1))
        a.next_clip.triggered.connect(lambda: view.select_neighbour(1))

    def _connect_edit_and_mark_actions(self) -> None:
        """Clipboard, nudge, markers, in/out points and go-to."""
        a, t = self.actions, self.transport
        a.copy.triggered.connect(self.copy_selected)
        a.cut.triggered.connect(self.cut_selected)
        a.paste.triggered.connect(lambda: self.paste_clips(insert=False))
        a.paste_insert.triggered.connect(lambda: self.paste_clips(insert=True))
        a.duplicate.triggered.connect(self.duplicate_selected)
        a.select_all.triggered.connect(self.select_all)
        a.nudge_back.triggered.connect(lambda: self.nudge_selected(-1))
        a.nudge_forward.triggered.connect(lambda: self.nudge_selected(1))
        a.add_marker.triggered.connect(lambda: self.add_marker())
        a.edit_marker.triggered.connect(self.on_edit_marker_triggered)
        a.remove_marker.triggered.connect(self.on_remove_marker_triggered)
        a.next_marker.triggered.connect(lambda: self.go_to_marker(1))
        a.previous_marker.triggered.connect(lambda: self.go_to_marker(-1))
        a.mark_in.triggered.connect(self.mark_in)
        a.mark_out.triggered.connect(self.mark_out)
        a.clear_in_out.triggered.connect(self.clear_in_out)
        a.go_in.triggered.connect(lambda: self.play_range() and t.seek(self.play_range()[0]))
        a.go_out.triggered.connect(lambda: self.play_range() and t.seek(self.play_range()[1] - 1))
        a.go_to_timecode.triggered.connect(self.on_go_to_timecode_triggered)
        a.keyboard_help.triggered.connect(self.on_keyboard_help_triggered)

    def _connect_parts(self) -> None:
        """The document, the render queue, the timeline view, autosave and the inspector."""
        d, view = self.document, self.timeline.view
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
        view.gap_selection_changed.connect(self.update_actions)
        self.autosaver.failed.connect(lambda message: self.show_problem(f"autosave failed: {message}"))
        self.inspector.problem_reported.connect(self.show_problem)
        self.inspector.take_requested.connect(self.on_inspector_take_requested)
        self.inspector.take_delete_requested.connect(self.on_inspector_take_delete_requested)
        self.inspector.effects.process_requested.connect(self.on_effects_process_requested)

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
        a.split.setEnabled(selected)
        for action in (a.copy, a.cut, a.duplicate, a.nudge_back, a.nudge_forward):
            action.setEnabled(selected)
        for action in (a.delete, a.ripple_delete):  # a selected gap can be closed too
            action.setEnabled(selected or self.timeline.view.selected_gap is not None)
        a.rerender.setEnabled(selected)  # while rendering, new work waits its turn (re-planned then)
        a.rerender_chain.setEnabled(selected)
        a.variations.setEnabled(selected)
        a.extend.setEnabled(selected and not running)
        a.bridge.setEnabled(selected and not running)
        a.render_stale.setEnabled(bool(self.document.statuses()))
        a.cancel_renders.setEnabled(running or self.conform.running)
        a.export_movie.setEnabled(bool(self.document.statuses()) and not self.conform.running)
        clip = self._selected_clip()
        a.next_take.setEnabled(clip is not None and len(takes_of(clip)) > 1)
        a.export.setEnabled(bool(self.document.statuses()))
        a.export.setToolTip("Export the cut for another editor (Resolve, Premiere, EDL, OTIO)")

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
        self.update_play_range()
        self.update_title()
        self.update_actions()
        self.update_status()

    def on_document_selection_changed(self, name: object) -> None:
        block = self.timeline.view.layout_data.block(name) if isinstance(name, str) else None
        if block is not None:  # the track handlers act on the selected clip's track
            self.timeline.headers.current = block.track
            self.timeline.headers.update()
        self.update_actions()

    def on_queue_running_changed(self, running: bool) -> None:
        self.update_actions()
        if not running:
            done = sum(r.state is JobState.DONE for r in self.queue.rows.values())
            self.statusBar().showMessage(f"render finished: {done} of {len(self.queue.rows)} clips", 8000)

    def on_queue_jobs_changed(self) -> None:
        for row in self.queue.rows.values():
            self.on_queue_job_updated(row.clip)

    def on_queue_job_updated(self, clip: str) -> None:
        row = self.queue.rows.get(clip)
        if row is None:
            return
        active = row.state.active
        self.timeline.view.set_render_mark(clip, row.fraction if row.state is JobState.RENDERING else None, active)
        if row.state is JobState.DONE and not self.document.untitled:
            # A new take is an unsaved edit: autosave now, so a crash cannot lose a finished render.
            self.autosaver.try_save()

    def on_queue_preview_changed(self, clip: str) -> None:
        self.viewer.set_preview(clip, self.queue.previews.get(clip))

    def on_queue_render_failed(self, clip: str, message: str) -> None:
        self.show_problem(f"{clip}: {message}")

    def on_effects_process_requested(self, clip: str) -> None:
        """Build a clip's processed media now, in the render queue (effects_panel's Process button)."""
        try:
            if self.document.untitled:
                raise ProjectError("save the project first: processed media is stored beside the project file")
            self.queue.process_effects([clip])
        except ProjectError as err:
            self.show_problem(str(err))

    def on_inspector_take_requested(self, clip: str, key: str) -> None:
        self.run_edit(lambda p: timeline_edits.switch_take(p, clip, key))

    def on_inspector_take_delete_requested(self, clip: str, key: str) -> None:
        """Delete a take's files, asked for explicitly: the only way a take leaves the disk."""
        text = f"Delete {key} of {clip} and its files from disk? This cannot be undone."
        if self.ask("Delete take", text) != QMessageBox.Yes:
            return
        if self.run_edit(lambda p: timeline_edits.remove_take(p, clip, key)):
            deleted = delete_take_files(self.document.project, clip, key)
            self.statusBar().showMessage(f"deleted {key} of {clip} ({len(deleted)} file(s))", 6000)

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
        self.settings.sync()  # now: the process ends right after the window closes (app.run_and_exit)
        event.accept()
