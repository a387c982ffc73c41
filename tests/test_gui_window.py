"""The editor window, driven like a user would (pytest-qt, offscreen): open, edit, undo, drag,
trim, render with the animatic generator, save and reload.  Screenshots go to tests/output/."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import opentimelineio as otio  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDropEvent  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from fp_timeline.project import timeline_edits  # noqa: E402
from fp_timeline.project.document import load_project  # noqa: E402
from fp_timeline.project.takes import takes_of  # noqa: E402
from fp_timeline.ui.timeline_view import TRACK_HEIGHT  # noqa: E402
from tests.gui_helpers import SAMPLES, fresh_clips_project, make_window, sample_copy, screenshot  # noqa: E402

pytestmark = pytest.mark.gui
RENDER_TIMEOUT_MS = 60000


def _names(window) -> list[str]:
    return [item.name for item in window.document.project.tracks()[0]]


def _state(window, clip: str) -> str:
    return window.document.statuses()[clip].state.value


def _point(window, clip: str, where: float) -> QPoint:
    """Viewport point inside a clip block: ``where`` 0..1 across it (or pixels from an edge when >1/<0)."""
    view = window.timeline.view
    item = view.items[clip]
    x = item.width * where if 0 <= where <= 1 else (item.width + where if where < 0 else where)
    return view.mapFromScene(item.mapToScene(QPointF(x, item.body_rect().height() / 2)))


def _drag(qtbot, window, start: QPoint, end: QPoint) -> None:
    viewport = window.timeline.view.viewport()
    qtbot.mousePress(viewport, Qt.LeftButton, pos=start)
    steps = 6
    for i in range(1, steps + 1):
        qtbot.mouseMove(viewport, start + (end - start) * i / steps)
    qtbot.mouseRelease(viewport, Qt.LeftButton, pos=end)


def _render_and_wait(qtbot, window, targets=None) -> None:
    assert window.start_render(targets) > 0
    qtbot.waitUntil(lambda: not window.queue.running, timeout=RENDER_TIMEOUT_MS)


def test_empty_window(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    assert window.windowTitle() == "untitled — fp-timeline"
    assert not window.timeline.view.items
    assert not window.actions.split.isEnabled()
    screenshot(window, "window_empty")


def test_open_sample_project_draws_every_clip(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, sample_copy(tmp_path))
    assert window.windowTitle() == "three_shots.otio — fp-timeline"
    assert set(window.timeline.view.items) == {"shot_010", "shot_020", "shot_030", "shot_040"}
    assert window.timeline.view.items["shot_020"].block.carries
    assert {_state(window, c) for c in window.timeline.view.items} == {"unrendered"}
    assert "4 clips" in window.status_label.text()
    window.document.select("shot_020")
    screenshot(window, "window_sample_project")


def test_edit_prompt_then_undo_and_redo(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, sample_copy(tmp_path))
    qtbot.mouseClick(window.timeline.view.viewport(), Qt.LeftButton, pos=_point(window, "shot_020", 0.5))
    assert window.document.selected == "shot_020"
    inspector = window.inspector
    assert inspector.prompt.toPlainText() == "the cat blinks slowly"
    inspector.prompt.setPlainText("the cat sneezes")
    inspector.prompt.editing_finished.emit()
    project = window.document.project
    assert project.recipe(project.clip("shot_020")).prompt == "the cat sneezes"
    assert window.windowTitle().startswith("three_shots.otio*")
    window.actions.undo.trigger()
    assert project.recipe(project.clip("shot_020")).prompt == "the cat blinks slowly"
    assert inspector.prompt.toPlainText() == "the cat blinks slowly"
    assert not window.document.dirty and "*" not in window.windowTitle()
    window.actions.redo.trigger()
    assert project.recipe(project.clip("shot_020")).prompt == "the cat sneezes"


def test_seed_randomise_is_one_undo_step(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, sample_copy(tmp_path))
    window.document.select("shot_010")
    project = window.document.project
    window.inspector.randomise.click()
    assert project.recipe(project.clip("shot_010")).seed != 1
    assert window.document.undo_stack.count() == 1
    window.document.undo_stack.undo()
    assert project.recipe(project.clip("shot_010")).seed == 1


def test_drag_moves_a_clip_and_undo_puts_it_back(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path))
    assert _names(window) == ["shot_010", "shot_020", "shot_030"]
    _drag(qtbot, window, _point(window, "shot_030", 0.5), _point(window, "shot_010", 0.2))
    assert _names(window) == ["shot_030", "shot_010", "shot_020"]
    window.actions.undo.trigger()
    assert _names(window) == ["shot_010", "shot_020", "shot_030"]


def test_moving_a_carried_clip_to_the_front_is_refused(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, sample_copy(tmp_path))
    _drag(qtbot, window, _point(window, "shot_020", 0.5), _point(window, "shot_010", 0.1))
    assert _names(window)[:3] == ["shot_010", "shot_020", "shot_030"]
    assert "first clip" in window.statusBar().currentMessage()
    assert window.document.undo_stack.count() == 0


def test_trim_edges_by_dragging(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, frames=30))
    view = window.timeline.view
    view.set_zoom(300)  # 10 px a frame at 30 fps
    view.horizontalScrollBar().setValue(0)
    start = _point(window, "shot_010", -2)
    _drag(qtbot, window, start, start - QPoint(100, 0))
    project = window.document.project
    clip = project.clip("shot_010")
    assert project.recipe(clip).frames == 30 and clip.duration().value == 20  # trimming never regenerates
    start = _point(window, "shot_010", 2)
    _drag(qtbot, window, start, start + QPoint(50, 0))
    clip = project.clip("shot_010")
    assert clip.source_range.start_time.value == 5 and clip.duration().value == 15
    assert window.document.undo_stack.count() == 2
    window.actions.undo.trigger()
    window.actions.undo.trigger()
    assert project.clip("shot_010").duration().value == 30


def test_split_at_playhead_and_ripple_delete(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, frames=30))
    window.document.select("shot_010")
    window.transport.seek(10)
    window.actions.split.trigger()
    assert _names(window) == ["shot_010", "shot_015", "shot_020", "shot_030"]
    window.document.select("shot_020")
    window.actions.ripple_delete.trigger()
    assert _names(window) == ["shot_010", "shot_015", "shot_030"]
    window.document.select("shot_015")
    window.actions.delete.trigger()
    assert isinstance(window.document.project.tracks()[0][1], otio.schema.Gap)
    for _ in range(3):
        window.actions.undo.trigger()
    assert _names(window) == ["shot_010", "shot_020", "shot_030"]


def test_dropping_an_image_adds_a_clip(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path))
    view = window.timeline.view
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(SAMPLES / "one_shot" / "astronaut.png"))])
    end = view.mapFromScene(QPointF(view.items["shot_030"].sceneBoundingRect().right() + 20, 30))
    event = QDropEvent(QPointF(end), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    view.dropEvent(event)
    assert _names(window) == ["shot_010", "shot_020", "shot_030", "shot_040"]
    project = window.document.project
    recipe = project.recipe(project.clip("shot_040"))
    assert project.resolve(recipe.image) == (SAMPLES / "one_shot" / "astronaut.png").resolve()
    assert window.document.selected == "shot_040"


def test_render_with_animatic_changes_state_and_shows_frames(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, sample_copy(tmp_path))
    shots = []

    def grab_once(clip: str) -> None:
        row = window.queue.rows.get(clip)
        if not shots and row is not None and row.state == "rendering" and row.step > 5:
            shots.append(screenshot(window, "window_rendering"))

    window.queue.job_updated.connect(grab_once)
    _render_and_wait(qtbot, window)
    assert {_state(window, c) for c in window.timeline.view.items} == {"rendered"}
    assert all(r.state == "done" for r in window.queue.rows.values())
    assert not window.actions.cancel_renders.isEnabled()
    window.transport.seek(40)
    assert window.viewer.view.frame.rendered and window.viewer.view.frame.clip == "shot_010"
    # A prompt edit makes the clip and everything carrying from it stale, by hash.
    window.document.select("shot_020")
    window.inspector.prompt.setPlainText("the cat sneezes")
    window.inspector.prompt.editing_finished.emit()
    states = {c: _state(window, c) for c in ("shot_010", "shot_020", "shot_030", "shot_040")}
    assert states == {"shot_010": "rendered", "shot_020": "stale", "shot_030": "stale", "shot_040": "rendered"}
    assert window.inspector.checks.text() == "Stale: prompt changed since take_001"
    window.document.select("shot_030")
    assert window.inspector.checks.text() == "Stale: the clip it carries from changed since take_001"
    screenshot(window, "window_rendered_stale")
    assert shots, "no screenshot was taken while rendering"


def test_rerender_makes_a_second_take_and_next_take_switches(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=1, frames=10))
    window.document.select("shot_010")
    _render_and_wait(qtbot, window)
    window.actions.rerender.trigger()
    qtbot.waitUntil(lambda: not window.queue.running, timeout=RENDER_TIMEOUT_MS)
    clip = window.document.project.clip("shot_010")
    assert [t.key for t in takes_of(clip)] == ["take_001", "take_002"]
    assert clip.active_media_reference_key == "take_002"
    assert window.inspector.takes.count() == 2
    window.actions.next_take.trigger()
    assert window.document.project.clip("shot_010").active_media_reference_key == "take_001"


def test_extend_shot_inserts_a_carried_clip_and_renders_it(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, sample_copy(tmp_path, "one_shot"))
    name = window.extend_shot("shot_010", "the astronaut turns away")
    assert name == "shot_020"  # names follow timeline order: the next step after the last clip
    qtbot.waitUntil(lambda: not window.queue.running, timeout=RENDER_TIMEOUT_MS)
    assert _names(window) == ["shot_010", "shot_020"]
    assert _state(window, "shot_020") == "rendered" and _state(window, "shot_010") == "rendered"


def test_save_and_reload_equal(qtbot, tmp_path):
    path = sample_copy(tmp_path)
    window = make_window(qtbot, tmp_path, path)
    window.document.select("shot_040")
    window.inspector.prompt.setPlainText("steam curls upward")
    window.inspector.prompt.editing_finished.emit()
    assert window.save()
    assert not window.document.dirty and "*" not in window.windowTitle()
    reloaded = load_project(path)
    dump = lambda p: otio.adapters.write_to_string(p.timeline, adapter_name="otio_json")  # noqa: E731
    assert dump(reloaded) == dump(window.document.project)
    copy = tmp_path / "elsewhere" / "copy.otio"
    assert window.save_as(copy)
    assert window.windowTitle() == "copy.otio — fp-timeline"
    again = load_project(copy)  # start images are re-pointed: it still validates
    assert again.recipe(again.clip("shot_040")).prompt == "steam curls upward"
    assert window.recent.paths()[0] == copy.resolve()


def test_autosave_is_offered_back_after_a_crash(qtbot, tmp_path):
    path = sample_copy(tmp_path)
    window = make_window(qtbot, tmp_path, path)
    window.document.select("shot_010")
    window.inspector.prompt.setPlainText("recovered prompt")
    window.inspector.prompt.editing_finished.emit()
    saved = window.autosaver.save_now()
    assert saved.is_file()
    window.document.undo_stack.setClean()  # simulate the crash: the window goes without cleaning up
    window.autosaver.last_path = None
    second = make_window(qtbot, tmp_path / "second")
    second.ask = lambda *args, **kwargs: QMessageBox.Yes
    assert second.open_project(path)
    project = second.document.project
    assert project.recipe(project.clip("shot_010")).prompt == "recovered prompt"
    assert second.document.dirty
    assert second.save()
    assert not saved.exists()


def test_closing_with_a_render_running_asks(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, sample_copy(tmp_path))
    asked = []
    window.ask = lambda title, *args, **kwargs: asked.append(title) or QMessageBox.No
    window.start_render(None)
    assert window.queue.running
    window.close()
    assert asked == ["Render running"] and window.isVisible()
    window.ask = lambda *args, **kwargs: QMessageBox.Yes
    window.close()
    assert not window.isVisible()
    assert not window.queue.running or window.queue.wait(10000)


def test_jkl_and_space_drive_the_transport(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, sample_copy(tmp_path))
    transport = window.transport
    window.actions.shuttle_forward.trigger()
    window.actions.shuttle_forward.trigger()
    assert transport.speed == 2
    window.actions.stop.trigger()
    assert not transport.playing
    window.actions.shuttle_back.trigger()
    assert transport.speed == -1
    window.actions.play_pause.trigger()
    assert not transport.playing
    window.actions.play_pause.trigger()
    qtbot.waitUntil(lambda: transport.position > 3, timeout=3000)
    window.actions.play_pause.trigger()
    assert not transport.playing


def test_typing_in_the_inspector_does_not_trigger_shortcuts(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, sample_copy(tmp_path))
    window.activateWindow()
    window.document.select("shot_040")
    prompt = window.inspector.prompt
    prompt.setFocus()
    qtbot.waitUntil(prompt.hasFocus, timeout=2000)
    prompt.selectAll()
    qtbot.keyClicks(prompt, "steam lifts slowly")
    for key in (Qt.Key_Delete, Qt.Key_Left, Qt.Key_Space, Qt.Key_L):
        qtbot.keyClick(prompt, key)
    assert _names(window)[-1] == "shot_040" and not window.transport.playing
    assert window.transport.position == 0
    window.timeline.view.setFocus()  # focus out commits the prompt
    project = window.document.project
    assert project.recipe(project.clip("shot_040")).prompt.startswith("steam lifts slowl")


def test_export_after_rendering(qtbot, tmp_path):
    from fp_timeline.ui.export_bridge import export_choices

    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=2, frames=8))
    assert window.actions.export.isEnabled()
    warned = []
    window.warn = lambda title, text: warned.append(title)
    window.on_export_triggered()  # nothing rendered yet: refused with the reason
    assert warned == ["Render first"]
    _render_and_wait(qtbot, window)
    choice = next(c for c in export_choices() if c.name == "otio")
    written = window.export_to(choice, tmp_path / "out" / "cut")
    assert written is not None and written.suffix == ".otio" and written.is_file()
    timeline = otio.adapters.read_from_file(str(written))
    assert [c.name for c in timeline.find_clips()] == ["shot_010", "shot_020"]


def test_clip_mode_loops_the_selected_clip(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=3, frames=6))
    window.document.select("shot_020")
    window.viewer.clip_mode.setChecked(True)
    transport = window.transport
    assert transport.loop == (6, 12) and transport.position == 6
    window.actions.play_pause.trigger()
    seen = []
    transport.position_changed.connect(seen.append)
    qtbot.waitUntil(lambda: len(seen) >= 9, timeout=5000)  # past the clip's end: it wrapped
    window.actions.play_pause.trigger()
    assert set(seen) == set(range(6, 12)) and window.viewer.view.frame.clip == "shot_020"
    window.viewer.clip_mode.setChecked(False)
    assert transport.loop is None


def test_cancel_all_leaves_no_takes(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, sample_copy(tmp_path))
    started = []
    window.queue.job_updated.connect(
        lambda clip: started.append(clip) if window.queue.rows[clip].state == "rendering" else None
    )
    window.start_render(None)
    qtbot.waitUntil(lambda: bool(started), timeout=RENDER_TIMEOUT_MS)
    window.queue_panel.cancel_all.click()
    qtbot.waitUntil(lambda: not window.queue.running, timeout=RENDER_TIMEOUT_MS)
    states = {row.state for row in window.queue.rows.values()}
    assert "cancelled" in states and "rendering" not in states and "queued" not in states
    assert window.queue.rows["shot_040"].state == "cancelled"
    assert not any(takes_of(window.document.project.clip(c)) for c in ("shot_030", "shot_040"))


def test_trimming_snaps_to_the_playhead(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, frames=30))
    view = window.timeline.view
    view.set_zoom(300)  # 10 px a frame
    view.horizontalScrollBar().setValue(0)
    window.transport.seek(27)
    start = _point(window, "shot_010", -2)  # the out edge, at 298 px
    _drag(qtbot, window, start, start - QPoint(34, 0))  # released at 264 px (26.4 frames), 6 px from the playhead
    assert window.document.project.clip("shot_010").duration().value == 27


def test_live_preview_shows_in_the_viewer_while_rendering(qtbot, tmp_path, monkeypatch):
    """A generator's ``Progress.preview`` reaches the viewer while the playhead is on that clip."""
    import dataclasses
    import time

    import numpy as np

    from fp_timeline.engine import registry

    real_load = registry.load_generator

    class PreviewingAnimatic:
        def __init__(self, inner):
            self.inner, self.id, self.version = inner, inner.id, inner.version

        def validate(self, recipe):
            return self.inner.validate(recipe)

        def snap_frames(self, frames, carried, recipe=None):
            return self.inner.snap_frames(frames, carried, recipe)

        def render(self, job, out, progress, cancel):
            def with_preview(p):
                time.sleep(0.01)  # slow enough for the test to see it
                progress(dataclasses.replace(p, preview=np.full((8, 16, 3), 200, np.uint8)))

            return self.inner.render(job, out, with_preview, cancel)

    monkeypatch.setattr(registry, "load_generator", lambda gid: PreviewingAnimatic(real_load(gid)))
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=1, frames=40))
    seen = []
    window.queue.preview_changed.connect(lambda clip: seen.append(window.viewer.view.frame.preview))
    _render_and_wait(qtbot, window)
    assert True in seen  # the viewer showed the preview...
    assert not window.viewer.view.frame.preview  # ...and the take once it was done
    assert window.viewer.view.frame.rendered


def test_add_a_track_and_drag_a_clip_onto_it(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path))
    window.actions.add_track.trigger()
    project = window.document.project
    assert [t.name for t in project.tracks()] == ["V1", "V2"]
    view = window.timeline.view
    start = _point(window, "shot_020", 0.5)
    end = view.mapFromScene(QPointF(5, view.track_y(1) + 30))
    _drag(qtbot, window, start, end)
    assert [c.name for c in project.tracks()[1]] == ["shot_020"]
    assert _names(window) == ["shot_010", "", "shot_030"]  # V1 keeps the gap (no ripple)
    assert view.items["shot_020"].block.track == 1
    window.actions.undo.trigger()
    assert _names(window) == ["shot_010", "shot_020", "shot_030"] and not list(project.tracks()[1])
    window.actions.undo.trigger()
    assert len(project.tracks()) == 1


def test_untitled_work_is_recovered_after_a_crash(qtbot, tmp_path, monkeypatch):
    from fp_timeline.ui import autosave

    monkeypatch.setattr(autosave, "untitled_dir", lambda: tmp_path / "autosave")
    window = make_window(qtbot, tmp_path)
    window.add_clips_at_playhead([SAMPLES / "one_shot" / "astronaut.png"])
    saved = window.autosaver.save_now()
    crashed = saved.with_name("untitled-999999999.otio")  # as if written by an editor that is gone
    saved.rename(crashed)
    window.autosaver.last_path = None
    second = make_window(qtbot, tmp_path / "second")
    assert second.recover_untitled()
    assert second.document.untitled and second.document.dirty
    project = second.document.project
    (clip,) = project.generated_clips()
    assert project.resolve(project.recipe(clip).image) == (SAMPLES / "one_shot" / "astronaut.png").resolve()
    assert not crashed.exists()


def test_save_and_render_take_the_prompt_still_being_typed(qtbot, tmp_path):
    path = fresh_clips_project(tmp_path, count=1, frames=6)
    window = make_window(qtbot, tmp_path, path)
    window.document.select("shot_010")
    window.inspector.prompt.setPlainText("typed but not committed")  # no focus-out yet
    assert window.save()
    assert load_project(path).recipe(load_project(path).clip("shot_010")).prompt == "typed but not committed"


def test_inspector_shows_what_the_generator_objects_to(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, sample_copy(tmp_path))
    window.document.select("shot_010")
    assert window.inspector.errors.text("settings") == ""
    window.inspector.params.setPlainText('{"wobble": 1}')
    window.inspector.params.editing_finished.emit()
    assert "unknown animatic parameter 'wobble'" in window.inspector.errors.text("settings")
    window.inspector.params.setPlainText("{}")
    window.inspector.params.editing_finished.emit()
    assert window.inspector.errors.text("settings") == ""


def test_scrub_double_click_and_clip_navigation(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=3, frames=30))
    view = window.timeline.view
    view.set_zoom(60)  # 2 px a frame
    view.horizontalScrollBar().setValue(0)
    lane = view.mapFromScene(QPointF(10, view.track_y(0) + TRACK_HEIGHT + 20))  # below the clips
    _drag(qtbot, window, lane, lane + QPoint(100, 0))
    assert abs(window.transport.position - 55) <= 1
    qtbot.mouseDClick(view.viewport(), Qt.LeftButton, pos=_point(window, "shot_020", 0.5))
    assert window.transport.position == 30 and window.document.selected == "shot_020"
    window.actions.next_clip.trigger()
    assert window.document.selected == "shot_030"
    window.actions.previous_clip.trigger()
    window.actions.previous_clip.trigger()
    assert window.document.selected == "shot_010"


def test_export_movie_conforms_the_cut_in_the_background(qtbot, tmp_path):
    from fp_timeline.engine.media import probe
    from fp_timeline.ui.conform_task import ConformEnd

    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=2, frames=8))
    _render_and_wait(qtbot, window)
    out = tmp_path / "movie.mp4"
    with qtbot.waitSignal(window.conform.finished, timeout=RENDER_TIMEOUT_MS) as finished:
        assert window.export_movie(out)
    (outcome,) = finished.args
    assert outcome.end is ConformEnd.DONE and outcome.message == "" and outcome.result.frames == 16
    assert probe(out).frames == 16
    qtbot.waitUntil(lambda: not window.conform.running, timeout=5000)
    assert window.conform_bar.isHidden()


def test_a_strip_of_preview_frames_shows_its_newest_frame(qtbot, tmp_path):
    from PySide6.QtGui import QColor, QImage

    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=1, frames=8))  # 64x48 clips
    strip = QImage(4 * 16, 12, QImage.Format_RGB32)  # four 16x12 frames side by side
    strip.fill(QColor("black"))
    for x in range(48, 64):
        for y in range(12):
            strip.setPixelColor(x, y, QColor("white"))
    window.viewer.set_preview("shot_010", strip)
    shown = window.viewer.view.frame
    assert shown.preview and shown.image.width() == 16 and shown.image.pixelColor(0, 0) == QColor("white")


def test_changing_the_generator_resets_its_settings(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=1, frames=30))
    window.document.select("shot_010")
    inspector = window.inspector
    inspector.params.setPlainText('{"zoom_per_second": 0.1}')
    inspector.params.editing_finished.emit()
    index = inspector.generator.findData("framepack_f1")
    inspector.generator.setCurrentIndex(index)
    inspector.generator.activated.emit(index)
    recipe = window.document.project.recipe(window.document.project.clip("shot_010"))
    assert recipe.generator == "framepack_f1" and recipe.params == {}
    assert inspector.checks.text() == ""  # the length was snapped to what F1 makes
    window.actions.undo.trigger()
    recipe = window.document.project.recipe(window.document.project.clip("shot_010"))
    assert recipe.generator == "animatic" and recipe.params == {"zoom_per_second": 0.1}


def test_the_cancel_cell_cancels_one_queued_job(qtbot, tmp_path):
    from fp_timeline.ui.queue_panel import CANCEL

    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=3, frames=90))
    window.start_render(None)
    table = window.queue_panel.table
    last = window.queue_panel.model.index(2, CANCEL)
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=table.visualRect(last).center())
    qtbot.waitUntil(lambda: not window.queue.running, timeout=RENDER_TIMEOUT_MS)
    states = {clip: row.state for clip, row in window.queue.rows.items()}
    assert states == {"shot_010": "done", "shot_020": "done", "shot_030": "cancelled"}


def test_choosing_a_start_image_is_undoable(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, sample_copy(tmp_path))
    window.document.select("shot_040")
    project = window.document.project
    assert window.inspector.set_image(SAMPLES / "one_shot" / "astronaut.png")
    image = project.recipe(project.clip("shot_040")).image
    assert project.resolve(image) == (SAMPLES / "one_shot" / "astronaut.png").resolve()
    assert window.inspector.image_path.text() == image
    window.actions.undo.trigger()
    assert project.recipe(project.clip("shot_040")).image == "coffee.png"


def test_a_project_with_a_missing_start_image_opens_so_it_can_be_fixed(qtbot, tmp_path):
    path = sample_copy(tmp_path)
    (path.parent / "coffee.png").unlink()
    window = make_window(qtbot, tmp_path)
    warned = []
    window.warn = lambda title, text: warned.append((title, text))
    assert window.open_project(path)
    assert warned and warned[0][0] == "Start images missing" and "shot_040" in warned[0][1]
    window.document.select("shot_040")
    assert window.inspector.set_image(SAMPLES / "three_shots" / "coffee.png")
    assert window.save()
    load_project(path)  # valid again


def test_the_ui_keeps_responding_while_rendering(qtbot, tmp_path):
    """Rendering runs in a worker thread: a 10 ms UI timer keeps firing throughout."""
    from PySide6.QtCore import QElapsedTimer, QTimer

    window = make_window(qtbot, tmp_path, sample_copy(tmp_path))
    clock, gaps = QElapsedTimer(), []
    clock.start()
    last = [0]

    def tick() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    _render_and_wait(qtbot, window)
    timer.stop()
    assert len(gaps) > 10
    assert max(gaps[1:]) < 500, f"the UI thread stalled for {max(gaps[1:])} ms"


def test_select_a_gap_and_close_it(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=3, frames=30))
    window.document.select("shot_020")
    window.actions.delete.trigger()  # leaves a gap
    view = window.timeline.view
    gap = view.layout_data.tracks[0][1]
    assert gap.kind == "gap"
    middle = view.mapFromScene(QPointF(view.x_of(gap.start + gap.duration / 2), view.track_y(0) + 30))
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=middle)
    assert view.selected_gap == (0, 1) and window.actions.ripple_delete.isEnabled()
    window.actions.ripple_delete.trigger()
    assert _names(window) == ["shot_010", "shot_030"]
    window.actions.undo.trigger()
    assert isinstance(window.document.project.tracks()[0][1], otio.schema.Gap)


def test_rendering_an_untitled_project_saves_it_first(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    window.add_clips_at_playhead([SAMPLES / "one_shot" / "astronaut.png"])
    project = window.document.project
    (clip,) = project.generated_clips()
    recipe = project.recipe(clip).replace(generator="animatic", width=64, height=64, frames=5)
    window.run_edit(lambda p: timeline_edits.set_recipe(p, clip.name, recipe))
    target = tmp_path / "saved" / "new.otio"
    window.save_as = lambda path=None: window.__class__.save_as(window, target)
    _render_and_wait(qtbot, window)
    assert not window.document.untitled and window.document.project.path == target.resolve()
    assert _state(window, "shot_010") == "rendered"


def test_rerender_with_downstream_renders_the_chain(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, sample_copy(tmp_path))
    _render_and_wait(qtbot, window)
    window.document.select("shot_020")
    window.actions.rerender_chain.trigger()
    qtbot.waitUntil(lambda: not window.queue.running, timeout=RENDER_TIMEOUT_MS)
    assert list(window.queue.rows) == ["shot_020", "shot_030"]
    project = window.document.project
    assert [len(takes_of(project.clip(c))) for c in ("shot_010", "shot_020", "shot_030")] == [1, 2, 2]


def test_the_viewer_dissolves_across_a_transition(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, sample_copy(tmp_path))  # a 12-frame dissolve before shot_040
    _render_and_wait(qtbot, window)
    view = window.viewer.view
    layout = window.document.layout()
    (dissolve,) = [b for b in layout.tracks[0] if b.kind == "transition"]
    rate = window.transport.rate

    middle = round((dissolve.start + dissolve.duration / 2) * rate)
    window.transport.seek(middle)
    assert view.frame.rendered
    mixed = view.frame.image.convertToFormat(view.frame.image.Format.Format_RGB32).pixelColor(5, 5)
    source, project = window.viewer.source, window.document.project
    mix = source.mix_at(project, layout, middle)
    assert mix.dissolve and (mix.outgoing.name, mix.incoming.name) == ("shot_030", "shot_040")
    a = source.shot_frame(project, layout, mix.outgoing, middle).image.pixelColor(5, 5)
    b = source.shot_frame(project, layout, mix.incoming, middle).image.pixelColor(5, 5)
    assert a != b
    for channel in ("red", "green", "blue"):  # each channel lies between the two clips' values
        low, high = sorted((getattr(a, channel)(), getattr(b, channel)()))
        assert low - 2 <= getattr(mixed, channel)() <= high + 2
    assert mixed not in (a, b)


def test_a_carried_clip_may_follow_an_imported_video_at_the_track_start(qtbot, tmp_path):
    """The window checks an edit with the project's own arrangement rules: an imported clip counts."""
    import opentimelineio as otio

    from fp_timeline.project import timeline_edits as edits
    from fp_timeline.project.document import load_project
    from fp_timeline.ui.document import ProjectDocument

    project = load_project(sample_copy(tmp_path))
    imported = otio.schema.Clip(
        name="found",
        media_reference=otio.schema.ExternalReference(target_url="found.mp4"),
        source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, 30), otio.opentime.RationalTime(30, 30)),
    )
    project.tracks()[0].insert(0, imported)
    document = ProjectDocument(project)
    assert document.edit(edits.move(document.project, "shot_020", 1))  # now right after the imported clip
    assert [item.name for item in document.project.tracks()[0]][:3] == ["found", "shot_020", "shot_010"]
    with pytest.raises(edits.EditRefused, match="first clip"):
        document.edit(edits.move(document.project, "shot_030", 0))  # before the imported clip: nothing to carry
