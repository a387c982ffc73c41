"""The inspector's effect stack in the window: add an effect, set it, undo, process it in the queue,
and see the processed media in the viewer; a render post-processes right after the take."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import pytest  # noqa: E402

from fp_timeline.engine.postfx.jobs import processed_media  # noqa: E402
from fp_timeline.project.effects import own_effects  # noqa: E402
from fp_timeline.ui.render_worker import effects_row  # noqa: E402
from tests.gui_helpers import fresh_clips_project, make_window, screenshot  # noqa: E402

pytestmark = pytest.mark.gui
TIMEOUT_MS = 60000


def _wait(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window.queue.running, timeout=TIMEOUT_MS)


def _kinds(window, clip: str) -> list[str]:
    return [e.kind for e in own_effects(window.document.project.clip(clip))]


def test_effect_stack_is_edited_processed_and_shown(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=2, frames=12))
    assert window.start_render(None) > 0
    _wait(qtbot, window)
    window.document.select("shot_010")
    panel = window.inspector.effects
    window.transport.seek(3)
    assert window.viewer.view.frame.image.width() == 64  # the take as generated

    panel.kind.setCurrentText("upscale")
    panel.add.click()
    assert _kinds(window, "shot_010") == ["upscale"]
    assert panel.stack.count() == 1 and "factor=2" in panel.stack.item(0).text()
    assert panel.status.text() == "not processed yet" and panel.process.isEnabled()

    factor = panel.controls["factor"]
    factor.setValue(3)
    factor.editingFinished.emit()
    assert own_effects(window.document.project.clip("shot_010"))[0].settings["factor"] == 3
    window.document.undo_stack.undo()
    assert own_effects(window.document.project.clip("shot_010"))[0].settings["factor"] == 2

    panel.process.click()
    _wait(qtbot, window)
    assert window.queue.rows[effects_row("shot_010")].state == "done"
    assert panel.status.text() == "processed"
    window.transport.seek(4)
    assert window.viewer.view.frame.image.width() == 128  # the viewer shows the processed media
    screenshot(window, "window_effects")

    panel.remove.click()
    assert _kinds(window, "shot_010") == []
    window.transport.seek(3)
    assert window.viewer.view.frame.image.width() == 64


def test_render_post_processes_after_the_take(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=2, frames=12))
    window.document.select("shot_020")
    window.inspector.effects.kind.setCurrentText("loop")
    window.inspector.effects.add.click()
    mode = window.inspector.effects.controls["mode"]
    mode.setCurrentText("pingpong")
    mode.activated.emit(1)
    assert own_effects(window.document.project.clip("shot_020"))[0].settings["mode"] == "pingpong"
    assert window.save()
    assert window.start_render(None) == 3  # two takes, then shot_020's effects
    _wait(qtbot, window)
    assert [r.state for r in window.queue.rows.values()] == ["done"] * 3
    project = window.document.project  # the new takes are edits of the open project
    media = processed_media(project, project.clip("shot_020"))
    assert media is not None and media.is_file()
    window.document.select("shot_020")
    window.inspector.effects.fit.click()  # the clip grows to the loop's length: 2 x 12 - 2 frames
    assert window.document.project.clip("shot_020").trimmed_range().duration.value == 22
    window.document.undo_stack.undo()
    assert window.document.project.clip("shot_020").trimmed_range().duration.value == 12


def test_effects_that_cannot_run_never_block_rendering_takes(qtbot, tmp_path):
    from fp_timeline.project.effects import add_effect, parse_effect

    path = fresh_clips_project(tmp_path, count=2, frames=12)
    window = make_window(qtbot, tmp_path, path)
    add_effect(window.document.project.clip("shot_010"), parse_effect("upscale:4,model=missing.pth"))
    assert window.start_render(None) == 3  # both takes, then shot_010's effects row
    _wait(qtbot, window)
    rows = window.queue.rows
    assert [rows[c].state for c in ("shot_010", "shot_020")] == ["done", "done"]
    assert rows[effects_row("shot_010")].state == "failed"
    assert "upscaler weights not found" in rows[effects_row("shot_010")].message
    assert window.start_render(None) == 0  # nothing left that can run: not an error, nothing to do
    window.document.select("shot_010")
    assert "upscaler weights not found" in window.inspector.effects.status.text()
