"""Markers, in/out points, go to timecode and keyboard help (issue 17)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import opentimelineio as otio  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtGui import QKeySequence  # noqa: E402

from fp_timeline.project.document import load_project  # noqa: E402
from fp_timeline.ui import marks  # noqa: E402
from fp_timeline.ui.key_help import key_rows  # noqa: E402
from fp_timeline.ui.mark_handlers import parse_position  # noqa: E402
from tests.gui_helpers import REPO, fresh_clips_project, make_window  # noqa: E402

pytestmark = pytest.mark.gui
RENDER_TIMEOUT_MS = 60000


def test_m_adds_a_named_coloured_marker_saved_as_an_otio_marker_and_exported(qtbot, tmp_path):
    from fp_timeline.ui.export_bridge import export_choices

    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=2, frames=8))
    window.transport.seek(5)
    window.actions.add_marker.trigger()
    stack = window.document.project.timeline.tracks
    assert [(m.name, m.marked_range.start_time.value) for m in stack.markers] == [("Marker 1", 5)]
    window.edit_marker(0, "sneeze", "green")
    assert (stack.markers[0].name, stack.markers[0].color) == ("sneeze", otio.schema.MarkerColor.GREEN)
    window.actions.undo.trigger()
    assert stack.markers[0].name == "Marker 1"
    window.actions.redo.trigger()
    window.transport.seek(0)
    window.actions.next_marker.trigger()
    assert window.transport.position == 5
    assert window.save()
    reloaded = load_project(window.document.project.path)
    assert [m.name for m in reloaded.timeline.tracks.markers] == ["sneeze"]
    assert window.start_render(None) > 0
    qtbot.waitUntil(lambda: not window.queue.running, timeout=RENDER_TIMEOUT_MS)
    choice = next(c for c in export_choices() if c.name == "otio")
    written = window.export_to(choice, tmp_path / "out" / "cut")
    exported = otio.adapters.read_from_file(str(written))
    assert [(m.name, m.color) for m in exported.tracks.markers] == [("sneeze", "GREEN")]
    window.transport.seek(5)
    window.actions.remove_marker.trigger()
    assert not list(stack.markers)


def test_in_and_out_points_limit_playback_render_and_export(qtbot, tmp_path):
    from fp_timeline.ui.export_bridge import export_choices

    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=3, frames=10))
    window.transport.seek(12)
    window.actions.mark_in.trigger()
    window.transport.seek(17)
    window.actions.mark_out.trigger()
    assert marks.in_out(window.document.project) == (12, 18)
    assert window.transport.range == (12, 18)
    window.transport.seek(0)
    window.actions.play_pause.trigger()
    assert window.transport.position == 12  # play starts at the in point
    qtbot.waitUntil(lambda: not window.transport.playing, timeout=5000)
    assert window.transport.position == 17  # and stops at the out point
    assert window.render_stale() == 1  # only shot_020 is between in and out
    qtbot.waitUntil(lambda: not window.queue.running, timeout=RENDER_TIMEOUT_MS)
    states = {n: s.state.value for n, s in window.document.statuses().items()}
    assert states == {"shot_010": "unrendered", "shot_020": "rendered", "shot_030": "unrendered"}
    choice = next(c for c in export_choices() if c.name == "otio")
    exported = otio.adapters.read_from_file(str(window.export_to(choice, tmp_path / "out" / "cut")))
    assert [c.name for c in exported.find_clips()] == ["shot_020"]
    assert exported.duration().value == 6
    window.actions.clear_in_out.trigger()
    assert window.transport.range is None
    window.actions.undo.trigger()
    assert window.transport.range == (12, 18)


def test_go_to_timecode_accepts_timecode_frames_and_seconds(qtbot, tmp_path):
    assert parse_position("00:00:01:05", 30) == 35
    assert parse_position("1:05", 30) == 35
    assert parse_position("42", 30) == 42
    assert parse_position("1.5s", 30) == 45
    assert parse_position("soon", 30) is None
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path))
    assert window.go_to_timecode("00:00:02:03")
    assert window.transport.position == 63
    assert not window.go_to_timecode("later")
    assert "not a timecode" in window.statusBar().currentMessage()


def test_keyboard_help_lists_every_key_and_the_readme_table_has_them_all(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    window.actions.keyboard_help.trigger()
    help_dialog = window.key_help
    qtbot.waitUntil(help_dialog.isVisible)
    rows = key_rows(window.actions)
    assert help_dialog.table.rowCount() == len(rows) > 40
    shown = {help_dialog.table.item(r, 1).text() for r in range(help_dialog.table.rowCount())}
    assert QKeySequence("Ctrl+D").toString(QKeySequence.NativeText) in shown and "M" in shown
    readme = (REPO / "fp_timeline" / "ui" / "README.md").read_text()
    table = readme[readme.index("| key |") :]
    missing = [f"{what}: {keys}" for what, keys in rows if f"| {keys} |" not in table]
    assert not missing, missing


def test_double_clicking_a_markers_flag_edits_its_name_and_colour(qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("kick drum", True)))
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *a, **k: ("Blue", True)))
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path))
    view = window.timeline.view
    view.set_zoom(60)
    view.horizontalScrollBar().setValue(0)
    window.transport.seek(30)
    window.actions.add_marker.trigger()
    window.transport.seek(0)
    ruler = window.timeline.ruler
    qtbot.mouseDClick(ruler, Qt.LeftButton, pos=QPoint(round(view.x_of(1.0)) + 2, 5))
    marker = window.document.project.timeline.tracks.markers[0]
    assert (marker.name, marker.color) == ("kick drum", "BLUE")
    assert window.transport.position == 30
