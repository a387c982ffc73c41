"""The ruler and the viewer label time as the exports do: ``HH:MM:SS:FF`` from OTIO's timecode at
every zoom, drop-frame (``;``) at 29.97."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import pytest  # noqa: E402

from fp_timeline.ui.mark_handlers import parse_position  # noqa: E402
from tests.gui_helpers import fresh_clips_project, make_window, screenshot  # noqa: E402

pytestmark = pytest.mark.gui
TIMECODE = r"^\d\d:\d\d:\d\d[:;]\d\d$"


def _labels(window, pps: float, scroll_seconds: float = 0.0) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication

    view = window.timeline.view
    view.set_zoom(pps)
    view.horizontalScrollBar().setValue(round(scroll_seconds * view.pps))
    QApplication.processEvents()
    return {label: x for x, label in window.timeline.ruler.labels()}


def test_the_ruler_labels_full_timecode_at_every_zoom(qtbot, tmp_path):
    import itertools
    import re

    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=3, frames=600))  # 60 s at 30 fps
    window.resize(1280, 700)
    view = window.timeline.view
    seconds = _labels(window, 120)  # a second is 120 px: a tick a second
    assert "00:00:01:00" in seconds and "0:01:00" not in seconds  # one second, not one minute
    assert seconds["00:00:01:00"] == pytest.approx(view.x_of(1.0), abs=1)
    frames = _labels(window, 2000)  # the closest zoom: a tick every 3 frames (a label is ~70 px)
    assert {"00:00:00:00", "00:00:00:03", "00:00:00:06"} <= set(frames)
    assert frames["00:00:00:03"] == pytest.approx(view.x_of(3 / 30), abs=1)
    minutes = _labels(window, 1)
    assert {"00:00:00:00", "00:02:00:00"} <= set(minutes)  # 1 px a second: a tick every 2 minutes
    for labels in (seconds, frames, minutes):
        assert all(re.match(TIMECODE, label) for label in labels)
        xs = sorted(labels.values())
        assert min(b - a for a, b in itertools.pairwise(xs)) >= 70  # labels never run into each other
    screenshot(window, "ruler_timecode_30fps")


def test_29_97_counts_drop_frame_on_the_ruler_the_viewer_and_go_to(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=2, frames=1200, rate=29.97))
    window.resize(1280, 700)
    labels = _labels(window, 120, scroll_seconds=55)
    # A tick a second; at 60 s the frame is 1798: drop-frame timecode runs behind until the minute,
    # then skips ;00 and ;01 (frame 1800 is 00:01:00;02), so 61 s (frame 1828) is 00:01:01;00.
    assert "00:00:59;28" in labels and "00:01:01;00" in labels
    assert all(";" in label for label in labels)
    window.transport.seek(1800)
    assert window.viewer.time.text() == "00:01:00;02 / 00:01:20;02"  # 2400 frames long
    assert window.timeline.clock.text() == "00:01:00;02"
    assert parse_position("00:01:00;02", 29.97) == 1800  # what is shown, typed back
    assert parse_position("00:01:00:02", 29.97) == 1800  # written with a colon, still drop-frame
    window.go_to_timecode(window.viewer.time.text().split(" / ")[0])
    assert window.transport.position == 1800
    screenshot(window, "ruler_timecode_2997")
