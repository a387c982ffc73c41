"""The window's queue on another executor: several clips may be in flight, rows and cancels still work."""

from __future__ import annotations

import importlib.util
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from fp_timeline.engine.renderer import LocalExecutor  # noqa: E402
from fp_timeline.project.takes import active_take  # noqa: E402
from tests.gui_helpers import fresh_clips_project, make_window  # noqa: E402

pytestmark = pytest.mark.gui
RENDER_TIMEOUT_MS = 60000


class CountingExecutor(LocalExecutor):
    """The in-process executor, counting its runs: shows the queue really went through an executor."""

    runs = 0

    def run(self, *args, **kwargs) -> None:
        CountingExecutor.runs += 1
        super().run(*args, **kwargs)


def test_the_queue_renders_through_its_executor_and_cancels_one_row(qtbot, tmp_path):
    from fp_timeline.ui.queue_panel import CANCEL

    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=3, frames=90))
    window.queue.executor = CountingExecutor()
    window.start_render(None)
    table = window.queue_panel.table
    last = window.queue_panel.model.index(2, CANCEL)
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=table.visualRect(last).center())
    qtbot.waitUntil(lambda: not window.queue.running, timeout=RENDER_TIMEOUT_MS)
    states = {clip: row.state for clip, row in window.queue.rows.items()}
    assert states == {"shot_010": "done", "shot_020": "done", "shot_030": "cancelled"}
    assert CountingExecutor.runs == 1
    project = window.document.project
    assert active_take(project.clip("shot_010")) is not None and active_take(project.clip("shot_030")) is None


def test_the_ray_box_says_how_to_install_ray_when_it_is_missing(qtbot, tmp_path, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a))
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=1))
    window.queue_panel.on_ray.setChecked(True)
    assert not window.queue_panel.on_ray.isChecked()
    assert window.queue.executor is None
    assert "fp-timeline[ray]" in window.queue_panel.summary.text()
