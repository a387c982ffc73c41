"""What an NLE user expects of the timeline (issue 17): multi-select, copy/cut/paste/duplicate,
insert and overwrite, nudging; driven through the window's actions and the mouse."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import opentimelineio as otio  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QPointF, Qt  # noqa: E402

from fp_timeline.project.takes import takes_of  # noqa: E402
from tests.gui_helpers import clip_point, drag, fresh_clips_project, make_window  # noqa: E402

pytestmark = pytest.mark.gui
RENDER_TIMEOUT_MS = 60000


def _names(window, track: int = 0) -> list[str]:
    return [item.name for item in window.document.project.tracks()[track]]


def _window(qtbot, tmp_path, count=3):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=count))
    view = window.timeline.view
    view.set_zoom(60)  # 2 px a frame
    view.horizontalScrollBar().setValue(0)
    return window, view


def test_ctrl_and_shift_click_and_the_rubber_band_select_several_clips(qtbot, tmp_path):
    window, view = _window(qtbot, tmp_path, count=4)
    viewport = view.viewport()
    qtbot.mouseClick(viewport, Qt.LeftButton, pos=clip_point(window, "shot_010"))
    qtbot.mouseClick(viewport, Qt.LeftButton, Qt.ControlModifier, pos=clip_point(window, "shot_030"))
    assert window.document.selection == ["shot_010", "shot_030"]
    assert view.items["shot_010"].selected and view.items["shot_030"].selected and not view.items["shot_020"].selected
    qtbot.mouseClick(viewport, Qt.LeftButton, Qt.ControlModifier, pos=clip_point(window, "shot_010"))
    assert window.document.selection == ["shot_030"]
    qtbot.mouseClick(viewport, Qt.LeftButton, pos=clip_point(window, "shot_010"))
    qtbot.mouseClick(viewport, Qt.LeftButton, Qt.ShiftModifier, pos=clip_point(window, "shot_030"))
    assert window.document.selection == ["shot_010", "shot_020", "shot_030"]
    # A rubber band from empty timeline (past the end) back over the last two clips.
    end = view.layout_data.duration
    start = view.mapFromScene(QPointF(view.x_of(end) + 40, view.track_y(0) + 10))
    drag(qtbot, window, start, clip_point(window, "shot_030", 0.5))
    assert window.document.selection == ["shot_030", "shot_040"]
    window.actions.select_all.trigger()
    assert len(window.document.selection) == 4


def test_delete_and_drag_act_on_the_whole_selection(qtbot, tmp_path):
    window, view = _window(qtbot, tmp_path, count=4)
    window.document.set_selection(["shot_010", "shot_030"])
    window.actions.delete.trigger()
    assert _names(window) == ["", "shot_020", "", "shot_040"]
    assert window.document.undo_stack.count() == 1
    window.actions.undo.trigger()
    window.document.set_selection(["shot_030", "shot_040"])
    start = clip_point(window, "shot_040")
    drag(qtbot, window, start, start + QPointF(120, 0).toPoint())  # both 2 s later
    assert view.layout_data.block("shot_030").start == pytest.approx(4.0)
    assert view.layout_data.block("shot_040").start == pytest.approx(5.0)
    assert _names(window) == ["shot_010", "shot_020", "", "shot_030", "shot_040"]


def test_copy_paste_keeps_recipes_and_takes_and_duplicate_goes_right_after(qtbot, tmp_path):
    window, view = _window(qtbot, tmp_path)
    assert window.start_render(["shot_010"]) == 1
    qtbot.waitUntil(lambda: not window.queue.running, timeout=RENDER_TIMEOUT_MS)
    window.document.select("shot_010")
    window.actions.copy.trigger()
    window.actions.go_end.trigger()  # 3 s: the end of the cut
    window.actions.paste.trigger()
    project = window.document.project
    pasted = window.document.selected
    assert pasted not in ("shot_010", None)
    assert project.recipe(project.clip(pasted)) == project.recipe(project.clip("shot_010"))
    assert [t.key for t in takes_of(project.clip(pasted))] == ["take_001"]
    assert window.document.statuses()[pasted].state.value == "rendered"
    assert view.layout_data.block(pasted).start == pytest.approx(3.0) and _names(window)[-1] == pasted
    window.document.select("shot_020")
    window.actions.duplicate.trigger()
    copy_name = window.document.selected
    assert _names(window)[:4] == ["shot_010", "shot_020", copy_name, "shot_030"]
    window.document.select("shot_030")
    window.actions.cut.trigger()
    assert "shot_030" not in _names(window)
    window.transport.seek(0)
    window.document.select("shot_010")
    window.actions.paste_insert.trigger()  # at a cut: pushes shot_010 later
    assert _names(window)[1] == "shot_010" and window.document.selected == _names(window)[0]


def test_nudge_moves_the_selection_a_frame_into_a_gap_only(qtbot, tmp_path):
    window, view = _window(qtbot, tmp_path)
    window.document.select("shot_030")
    window.actions.nudge_forward.trigger()  # the last clip: room after it
    assert view.layout_data.block("shot_030").start == pytest.approx(61 / 30)
    window.actions.nudge_back.trigger()
    assert view.layout_data.block("shot_030").start == pytest.approx(2.0)
    assert _names(window) == ["shot_010", "shot_020", "shot_030"]
    window.document.select("shot_020")
    window.actions.nudge_forward.trigger()  # shot_030 is in the way
    assert "no room" in window.statusBar().currentMessage()
    assert window.document.undo_stack.count() == 2


def test_ctrl_drag_inserts_and_a_plain_drag_onto_clips_goes_to_the_nearest_cut(qtbot, tmp_path):
    window, view = _window(qtbot, tmp_path)
    window.actions.add_track.trigger()
    start = clip_point(window, "shot_030")
    end = view.mapFromScene(QPointF(view.x_of(1.1), view.track_y(0) + 30))
    drag(qtbot, window, start, end, Qt.ControlModifier)
    assert [n for n in _names(window) if n] == ["shot_010", "shot_030", "shot_020"]
    assert isinstance(window.document.project.tracks()[0][0], otio.schema.Clip)


def test_tracks_lock_hide_add_and_remove_each_one_undo_step(qtbot, tmp_path):
    from fp_timeline.project import timeline_edits

    window, view = _window(qtbot, tmp_path)
    window.actions.add_track.trigger()
    assert window.current_track() == 1 and view.layout_data.track_names == ["V1", "V2"]
    window.run_edit(lambda p: timeline_edits.move(p, "shot_020", 0, 1))
    headers = window.timeline.headers
    lock, eye = headers.switch_rects(1)
    qtbot.mouseClick(headers, Qt.LeftButton, pos=lock.center().toPoint())
    assert view.layout_data.locked == {1}
    assert headers.tip_at(lock.center()) == "V2 is locked: click to unlock"
    window.document.select("shot_020")
    window.actions.delete.trigger()
    assert "locked" in window.statusBar().currentMessage()
    assert "shot_020" in [c.name for c in window.document.project.tracks()[1]]
    qtbot.mouseClick(headers, Qt.LeftButton, pos=lock.center().toPoint())
    assert not view.layout_data.locked
    # Hidden: the viewer shows V1's clip under V2's, and the export marks the track off.
    window.transport.seek(5)
    shown = window.viewer.source.mix_at
    assert shown(window.document.project, view.layout_data, 5).outgoing.name == "shot_020"
    qtbot.mouseClick(headers, Qt.LeftButton, pos=eye.center().toPoint())
    assert view.layout_data.hidden == {1} and not window.document.project.tracks()[1].enabled
    assert shown(window.document.project, view.layout_data, 5).outgoing.name == "shot_010"
    window.actions.undo.trigger()
    assert not view.layout_data.hidden
    headers.current = 1
    window.actions.remove_track.trigger()
    assert view.layout_data.track_names == ["V1"] and "shot_020" not in window.document.clip_names()
    window.actions.remove_track.trigger()  # the last video track stays
    assert "at least one video track" in window.statusBar().currentMessage()
    window.actions.undo.trigger()
    assert "shot_020" in window.document.clip_names()


def test_without_ripple_a_trim_moves_nothing_else(qtbot, tmp_path):
    window, view = _window(qtbot, tmp_path)
    view.trim("shot_020", 0, 20)  # out edge 10 frames earlier
    assert view.layout_data.block("shot_030").start == pytest.approx(2.0)  # stays put
    assert _names(window) == ["shot_010", "shot_020", "", "shot_030"]
    view.trim("shot_020", 0, 30)  # and back: takes the gap again
    assert _names(window) == ["shot_010", "shot_020", "shot_030"]
    view.trim("shot_020", 6, 30)  # in edge later: the clip starts later, the gap is before it
    assert view.layout_data.block("shot_020").start == pytest.approx(36 / 30)
    assert view.layout_data.block("shot_030").start == pytest.approx(2.0)
    window.actions.ripple.trigger()
    view.trim("shot_010", 0, 20)  # with Ripple: later clips follow
    assert view.layout_data.block("shot_030").start == pytest.approx(2.0 - 10 / 30)


def test_shift_drag_overwrites_the_clips_it_lands_on(qtbot, tmp_path):
    window, view = _window(qtbot, tmp_path)
    window.document.select("shot_030")
    start = clip_point(window, "shot_030")
    drag(qtbot, window, start, start - QPointF(90, 0).toPoint(), Qt.ShiftModifier)  # 45 frames earlier
    project = window.document.project
    assert _names(window) == ["shot_010", "shot_030", "shot_020"]
    shot_010 = project.clip("shot_010")  # cut back by a trim: what shows, not the generation (issue 10)
    assert shot_010.source_range.duration.value == 15 and project.recipe(shot_010).frames == 30
    shot_020 = project.clip("shot_020")
    assert (shot_020.source_range.start_time.value, shot_020.source_range.duration.value) == (15, 15)
    assert view.layout_data.block("shot_030").start == pytest.approx(0.5)
    assert window.document.undo_stack.count() == 1
    window.actions.undo.trigger()
    assert _names(window) == ["shot_010", "shot_020", "shot_030"]
    assert project.recipe(project.clip("shot_010")).frames == 30


def test_a_drag_shows_where_the_clip_will_land_when_clips_are_in_the_way(qtbot, tmp_path):
    window, view = _window(qtbot, tmp_path)
    viewport = view.viewport()
    start = clip_point(window, "shot_030")
    qtbot.mousePress(viewport, Qt.LeftButton, pos=start)
    qtbot.mouseMove(viewport, start + QPointF(60, 0).toPoint())  # past the end: lands as drawn
    qtbot.waitUntil(lambda: view._gesture is not None and view._gesture.active)
    assert view.drop_x is None
    qtbot.mouseMove(viewport, start - QPointF(20, 0).toPoint())  # its start on shot_020's second half
    assert view.drop_x == pytest.approx(view.x_of(2.0))  # the cut after shot_020
    qtbot.mouseRelease(viewport, Qt.LeftButton, pos=start - QPointF(20, 0).toPoint())
    assert view.drop_x is None


def test_the_landing_preview_counts_frames_as_the_drop_does(qtbot, tmp_path):
    """A drag by part of a frame (61 px at 2 px a frame: 30.5 frames, rounded to 30 as the drop rounds
    it) lands exactly in the gap: no insert line, and the drop fits there; one frame more overlaps."""
    from fp_timeline.project import timeline_edits

    window, view = _window(qtbot, tmp_path)  # three 30-frame clips at 30 fps
    window.run_edit(lambda p: timeline_edits.delete(p, "shot_020", ripple=False))  # a 30-frame gap
    view.snapping = False
    viewport = view.viewport()
    start = clip_point(window, "shot_010")
    qtbot.mousePress(viewport, Qt.LeftButton, pos=start)
    qtbot.mouseMove(viewport, start + QPointF(61, 0).toPoint())
    qtbot.waitUntil(lambda: view._gesture is not None and view._gesture.active)
    assert view.drop_x is None  # seconds said 1.0167..2.0167 overlaps shot_030 at 2.0
    qtbot.mouseMove(viewport, start + QPointF(64, 0).toPoint())  # 32 frames: into shot_030
    assert view.drop_x is not None
    qtbot.mouseMove(viewport, start + QPointF(61, 0).toPoint())
    qtbot.mouseRelease(viewport, Qt.LeftButton, pos=start + QPointF(61, 0).toPoint())
    track = window.document.project.tracks()[0]
    assert [type(item).__name__ for item in track] == ["Gap", "Clip", "Clip"]
    assert track.range_of_child_at_index(1).start_time.to_frames() == 30


def test_split_cuts_every_selected_clip_under_the_playhead_in_one_step(qtbot, tmp_path):
    from fp_timeline.project import timeline_edits

    window, view = _window(qtbot, tmp_path)
    window.actions.add_track.trigger()
    window.run_edit(lambda p: timeline_edits.move(p, "shot_030", 0, 1))  # V2: shot_030 at 0..1 s
    window.document.set_selection(["shot_010", "shot_030", "shot_020"])
    window.transport.seek(12)
    window.actions.split.trigger()
    project = window.document.project
    assert project.recipe(project.clip("shot_010")).frames == 12
    assert project.recipe(project.clip("shot_030")).frames == 12
    assert project.recipe(project.clip("shot_020")).frames == 30  # not under the playhead
    window.actions.undo.trigger()
    assert project.recipe(project.clip("shot_010")).frames == 30
    assert project.recipe(project.clip("shot_030")).frames == 30


def test_the_inspector_says_which_clip_of_a_selection_it_edits(qtbot, tmp_path):
    window, view = _window(qtbot, tmp_path)
    window.document.set_selection(["shot_010", "shot_030"])
    assert window.inspector.title.text() == "shot_030  (+1 selected)"
    window.document.select("shot_020")
    assert window.inspector.title.text() == "shot_020"


def test_t_switches_every_selected_clip_to_its_next_take(qtbot, tmp_path):
    window, view = _window(qtbot, tmp_path)
    for _ in range(2):
        assert window.start_render(["shot_010", "shot_020"]) == 2
        qtbot.waitUntil(lambda: not window.queue.running, timeout=RENDER_TIMEOUT_MS)
    project = window.document.project
    assert [project.clip(n).active_media_reference_key for n in ("shot_010", "shot_020")] == ["take_002"] * 2
    window.document.set_selection(["shot_010", "shot_020"])
    steps = window.document.undo_stack.count()
    window.actions.next_take.trigger()
    assert [project.clip(n).active_media_reference_key for n in ("shot_010", "shot_020")] == ["take_001"] * 2
    assert window.document.undo_stack.count() == steps + 1
