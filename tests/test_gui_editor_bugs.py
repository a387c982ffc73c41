"""Bugs seen driving the editor under a real display (issue 17), each as a pytest-qt test that
failed before its fix."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import opentimelineio as otio  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QPointF  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from fp_timeline.project.document import load_project, save_project  # noqa: E402
from tests.gui_helpers import (  # noqa: E402
    clip_point,
    drag,
    fresh_clips_project,
    image_file,
    make_window,
    sample_copy,
)

pytestmark = pytest.mark.gui


def _names(window, track: int = 0) -> list[str]:
    return [item.name for item in window.document.project.tracks()[track]]


def test_undone_clip_name_reused_by_a_new_clip_is_selected_and_inspected(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path))
    window.add_clips_at_playhead([image_file()])
    added = window.document.selected
    assert added == "shot_040" and window.inspector.stack.currentIndex() == 1
    window.actions.undo.trigger()
    assert window.document.selected is None  # the undone clip is not selected any more
    assert window.inspector.stack.currentIndex() == 0
    assert not window.actions.split.isEnabled() and not window.actions.delete.isEnabled()
    window.add_clips_at_playhead([image_file("coffee.png")])
    assert window.document.selected == "shot_040"
    assert window.inspector.stack.currentIndex() == 1
    assert window.inspector.title.text() == "shot_040"
    assert window.actions.split.isEnabled()


def test_higher_tracks_are_drawn_above_lower_ones(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path))
    window.actions.add_track.trigger()
    window.run_edit(
        lambda p: __import__("fp_timeline.project.timeline_edits", fromlist=["x"]).move(p, "shot_020", 0, 1)
    )
    view = window.timeline.view
    v2, v1 = view.items["shot_020"], view.items["shot_010"]
    assert v2.sceneBoundingRect().bottom() <= v1.sceneBoundingRect().top()  # V2 above V1
    assert view.track_at(v2.sceneBoundingRect().center().y()) == 1
    assert view.track_at(v1.sceneBoundingRect().center().y()) == 0


def test_the_view_follows_the_playhead_when_stepping_and_zooming(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=3, frames=90))
    view = window.timeline.view
    view.set_zoom(2000)  # a few frames per screen
    window.actions.go_start.trigger()
    bar = view.horizontalScrollBar()

    def playhead_in_view() -> bool:
        x = view.playhead_x()
        return bar.value() <= x <= bar.value() + view.viewport().width()

    for _ in range(40):
        window.actions.step_forward.trigger()
    assert playhead_in_view()
    window.transport.seek(200)
    window.actions.zoom_in.trigger()
    assert playhead_in_view()


def test_a_carried_clips_link_glyph_is_drawn_over_its_neighbour_after_a_move(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, sample_copy(tmp_path))
    from fp_timeline.project import timeline_edits

    # Take shot_010 out and back: its item is then newer than shot_020's (drawn later, on top).
    window.run_edit(lambda p: timeline_edits.delete(p, "shot_010", ripple=True))
    window.actions.undo.trigger()
    view = window.timeline.view
    carried, before = view.items["shot_020"], view.items["shot_010"]
    assert carried.block.carries
    link = carried.mapToScene(QPointF(-2, carried.body_rect().height() * 0.35))
    top = next(item for item in view.scene().items(link) if item in (carried, before))
    assert top is carried


def test_recovery_defaults_to_recover_and_its_undo_step_goes_back_to_the_saved_file(qtbot, tmp_path):
    path = fresh_clips_project(tmp_path)
    window = make_window(qtbot, tmp_path, path)
    window.document.select("shot_010")
    window.inspector.prompt.setPlainText("recovered prompt")
    window.inspector.prompt.editing_finished.emit()
    window.autosaver.save_now()
    window.document.undo_stack.setClean()  # as if the editor crashed now, with the edit unsaved
    asked = []

    def answer(title, text, buttons=QMessageBox.Yes | QMessageBox.No, default=QMessageBox.No):
        asked.append(default)
        return default  # a user pressing Enter

    window.ask = answer
    assert window.open_project(path)
    assert asked == [QMessageBox.Yes]
    project = window.document.project
    assert project.recipe(project.clip("shot_010")).prompt == "recovered prompt"
    assert window.document.dirty
    window.actions.undo.trigger()
    project = window.document.project
    assert project.recipe(project.clip("shot_010")).prompt == "motion 0"
    window.actions.redo.trigger()
    project = window.document.project
    assert project.recipe(project.clip("shot_010")).prompt == "recovered prompt"


def test_a_trim_that_snaps_back_adds_no_undo_step(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path))
    start = clip_point(window, "shot_010", 1.0) - QPointF(2, 0).toPoint()
    drag(qtbot, window, start, start + QPointF(3, 0).toPoint() * 2)  # a little, then snapped back
    window.timeline.view.trim("shot_010", 0, 30)  # the same length: no change
    assert window.document.undo_stack.count() == 0
    assert not window.document.dirty


def test_an_unnamed_track_gets_a_header(qtbot, tmp_path):
    path = fresh_clips_project(tmp_path)
    project = load_project(path)
    project.timeline.tracks[0].name = ""  # as an FCP 7 XML import leaves it
    save_project(project)
    window = make_window(qtbot, tmp_path, path)
    assert window.timeline.headers.names() == ["V1"]


def test_add_clip_inside_a_carry_chain_goes_to_the_chains_end(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, sample_copy(tmp_path))
    project = window.document.project
    chain_middle = window.timeline.view.layout_data.block("shot_020")
    window.transport.seek(round(chain_middle.start * 30) + 3)  # inside shot_020, which carries shot_010
    window.add_clips_at_playhead([image_file()])
    names = [c.name for c in project.tracks()[0] if isinstance(c, otio.schema.Clip)]
    added = window.document.selected
    assert names.index(added) > names.index("shot_030")  # after the chain shot_010 > 020 > 030
    assert window.document.statuses()["shot_020"].state.value == "unrendered"
    assert "carry chain" in window.statusBar().currentMessage()


def test_movie_export_warns_about_unrendered_clips(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path))
    asked = []
    window.ask = lambda title, text, *rest: asked.append(text) or QMessageBox.No
    assert not window.export_movie(tmp_path / "cut.mp4")
    assert asked and "3 clips are not rendered" in asked[0]
    assert not window.conform.running


def test_the_right_dock_keeps_its_width_as_the_queue_fills(qtbot, tmp_path):
    from fp_timeline.ui.render_queue import JobRow

    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path))
    dock = window.queue_dock
    qtbot.waitUntil(lambda: dock.width() > 0)
    before = dock.width()
    queue = window.queue
    queue.rows = {
        f"shot_{i:03d}_with_a_long_name": JobRow(f"shot_{i:03d}_with_a_long_name", "unrendered", state="failed")
        for i in range(40)
    }
    queue.jobs_changed.emit()
    window.queue_panel.summary.setText("38/40 rendered, 2 failed · rendering… and much more text here")
    from PySide6.QtWidgets import QApplication

    for _ in range(3):  # let the layouts settle (posted LayoutRequest events)
        QApplication.sendPostedEvents()
        QApplication.processEvents()
    qtbot.wait(50)
    assert dock.width() == before
    assert window.viewer.width() > 300


def _two_tracks(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path))
    window.actions.add_track.trigger()
    view = window.timeline.view
    view.set_zoom(60)  # 2 px a frame
    view.horizontalScrollBar().setValue(0)
    return window, view


def test_a_purely_vertical_drag_moves_a_clip_to_the_track_above_at_the_same_time(qtbot, tmp_path):
    window, view = _two_tracks(qtbot, tmp_path)
    start = clip_point(window, "shot_020", 0.5)
    end = view.mapFromScene(QPointF(view.mapToScene(start).x(), view.track_y(1) + 30))
    drag(qtbot, window, start, end)
    project = window.document.project
    assert [c.name for c in project.tracks()[1] if isinstance(c, otio.schema.Clip)] == ["shot_020"]
    assert view.layout_data.block("shot_020").start == pytest.approx(1.0)  # where it was: 0:01
    assert _names(window) == ["shot_010", "", "shot_030"]  # the old track keeps its gap
    assert view.layout_data.block("shot_030").start == pytest.approx(2.0)
    window.actions.undo.trigger()
    assert _names(window) == ["shot_010", "shot_020", "shot_030"] and not list(project.tracks()[1])


def test_a_clip_dragged_to_another_track_lands_where_it_is_dropped(qtbot, tmp_path):
    window, view = _two_tracks(qtbot, tmp_path)
    start = clip_point(window, "shot_030", 0.5)
    end = view.mapFromScene(QPointF(view.mapToScene(start).x() + 120, view.track_y(1) + 30))  # +2 s
    drag(qtbot, window, start, end)
    block = view.layout_data.block("shot_030")
    assert block.track == 1 and block.start == pytest.approx(4.0, abs=0.05)


def test_with_ripple_on_the_old_track_closes_the_gap(qtbot, tmp_path):
    window, view = _two_tracks(qtbot, tmp_path)
    window.actions.ripple.trigger()
    assert view.ripple
    start = clip_point(window, "shot_010", 0.5)
    end = view.mapFromScene(QPointF(view.mapToScene(start).x(), view.track_y(1) + 30))
    drag(qtbot, window, start, end)
    assert _names(window) == ["shot_020", "shot_030"]
    assert view.layout_data.block("shot_010").track == 1


def test_the_queue_eta_counts_the_decoding_still_to_come(qtbot, tmp_path):
    from fp_timeline.ui.queue_panel import eta_text
    from fp_timeline.ui.render_queue import JobRow

    row = JobRow("shot_010", "unrendered", state="rendering", started=100.0)
    for step in range(1, 26):  # section 1: 25 steps, a second each
        row.record("sample", step, 50, 100.0 + step)
    row.record("decode", 25, 50, 135.0)  # its decode took 10 s
    for step in range(26, 51):
        row.record("sample", step, 50, 135.0 + step - 25)
    # Every step sampled at t=160; the last section's decode is still running.
    assert row.eta(now=163.0) == pytest.approx(7.0)
    assert eta_text(row, now=163.0) == "7 s"
    single = JobRow("shot_020", "unrendered", state="rendering", started=0.0)
    single.record("sample", 10, 10, 10.0)  # one section: no decode measured yet
    assert eta_text(single, now=12.0) == "decoding"
    single.record("decode", 10, 10, 20.0)
    assert single.eta(now=20.5) == 0.0


def test_a_setting_the_generator_refuses_is_an_error_beside_the_field_and_stops_the_render_early(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path))
    window.document.select("shot_020")
    window.inspector.params.setPlainText('{"wobble": 1}')
    window.inspector.params.editing_finished.emit()
    error = window.inspector.errors.labels["settings"]
    assert "✖ unknown animatic parameter 'wobble'" in error.text() and not error.isHidden()
    assert "#" in error.styleSheet() and window.inspector.checks.text() == ""  # red, not an amber note
    window.document.select("shot_010")
    assert window.start_render(None) == 0  # refused before anything renders
    assert not window.queue.running and not window.queue.rows
    message = window.statusBar().currentMessage()
    assert "shot_020" in message and "params.wobble" in message
    assert window.document.selected == "shot_020"  # shown where it can be fixed


def test_the_generators_stage_reaches_the_queue_row(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=1))
    assert window.start_render(None) == 1
    qtbot.waitUntil(lambda: not window.queue.running, timeout=60000)
    row = window.queue.rows["shot_010"]
    assert row.state == "done" and row.stage == "render"  # the animatic generator's one stage
