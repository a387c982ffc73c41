"""Filmstrips when zoomed in, and the README's screenshots (timeline, inspector, take browser), made
here at a small size in tests/output/readme/ (docs/screenshots/ holds the committed copies)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from tests.gui_helpers import OUTPUT, fresh_clips_project, make_window  # noqa: E402

pytestmark = pytest.mark.gui
RENDER_TIMEOUT_MS = 60000
README_WIDTH = 720  # px: small enough to commit


def _save_small(widget, name: str) -> None:
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    folder = OUTPUT / "readme"
    folder.mkdir(parents=True, exist_ok=True)
    image = widget.grab().toImage()
    if image.width() > README_WIDTH:
        image = image.scaledToWidth(README_WIDTH, Qt.SmoothTransformation)
    assert image.save(str(folder / f"{name}.png"))


def test_rendered_clips_show_a_filmstrip_when_zoomed_in_and_the_readme_screenshots(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=3, frames=60))
    window.resize(1280, 800)
    assert window.start_render(None) == 3
    qtbot.waitUntil(lambda: not window.queue.running, timeout=RENDER_TIMEOUT_MS)
    assert window.start_render(["shot_020"]) == 1  # a second take, for the take browser
    qtbot.waitUntil(lambda: not window.queue.running, timeout=RENDER_TIMEOUT_MS)
    view = window.timeline.view
    view.set_zoom(60)  # 2 px a frame: 120 px a clip
    view.horizontalScrollBar().setValue(0)
    view.items["shot_010"].painted_frames = [-1]
    view.viewport().repaint()
    qtbot.waitUntil(lambda: view.items["shot_010"].painted_frames == [])  # zoomed out: one thumbnail
    view.set_zoom(180)  # 6 px a frame: 360 px a clip
    view.horizontalScrollBar().setValue(0)
    item = view.items["shot_010"]
    item.painted_frames = []
    view.viewport().repaint()
    qtbot.waitUntil(lambda: len(item.painted_frames) >= 3)
    frames = item.painted_frames
    assert frames == sorted(frames) and frames[-1] > frames[0]  # the strip runs forward in time
    # A scene an editor would recognise: markers, in/out, two tracks, a multi-selection.
    window.actions.add_track.trigger()
    window.transport.seek(20)
    window.add_marker("beat", "YELLOW")
    window.transport.seek(12)
    window.actions.mark_in.trigger()
    window.transport.seek(150)
    window.actions.mark_out.trigger()
    window.document.set_selection(["shot_010", "shot_020"])
    window.transport.seek(75)
    _save_small(window, "window")
    _save_small(window.timeline, "timeline")
    _save_small(window.inspector_dock, "inspector")
    window.document.select("shot_020")
    assert window.inspector.takes.count() == 2
    _save_small(window.inspector.take_browser, "take_browser")
    names = ("timeline", "inspector", "take_browser")
    assert all((OUTPUT / "readme" / f"{n}.png").stat().st_size > 2000 for n in names)
