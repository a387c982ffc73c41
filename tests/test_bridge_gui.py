"""The window's Bridge the Cut: one undoable edit that inserts the bridge between two clips (the
generator found by its declared dependencies), rendered after its neighbours."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import pytest  # noqa: E402

pytest.importorskip("torch")

from fp_timeline.engine.bridge import bridge_edit, cut_to_bridge  # noqa: E402
from fp_timeline.ui.clip_item import tooltip  # noqa: E402
from tests.gui_helpers import fresh_clips_project, make_window  # noqa: E402

pytestmark = pytest.mark.gui


def _names(window) -> list[str]:
    return [item.name for item in window.document.project.tracks()[0]]


def test_bridge_the_cut_inserts_a_bridge_and_undo_takes_it_out(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=2))
    assert _names(window) == ["shot_010", "shot_020"]
    window.document.select("shot_010")
    assert window.actions.bridge.isEnabled()
    assert window.bridge_cut("shot_010", "shot_020", render=False) == "shot_015"
    assert _names(window) == ["shot_010", "shot_015", "shot_020"]
    recipe = window.document.project.recipe(window.document.project.clip("shot_015"))
    assert recipe.generator == "framepack_bridge" and recipe.carries and recipe.image is None
    assert (recipe.width, recipe.height) == (64, 48)
    window.document.select("shot_015")  # the inspector builds the bridge's controls from its schema
    assert {"end_image", "latent_window_size", "loras"} <= set(window.inspector.settings.controls)
    window.document.undo_stack.undo()
    assert _names(window) == ["shot_010", "shot_020"]


def test_the_tooltip_says_what_a_bridge_takes_from_its_neighbours(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=2))
    window.bridge_cut("shot_010", "shot_020", render=False)
    text = tooltip(window.document.layout().block("shot_015"))
    assert "starts on the previous take's last frame and ends on the next take's first frame" in text
    assert "context" not in text
    assert "starts on" not in tooltip(window.document.layout().block("shot_020"))  # a fresh clip takes nothing
    window.document.select("shot_015")
    assert window.inspector.preview.text() == "(starts on shot_010's last frame)"  # not "(continues shot_010)"


def test_the_razor_refuses_to_cut_a_bridge_in_two(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=2))
    sections = {"latent_window_size": 3}  # 37 frames: three sections, so there is a boundary inside it
    window.document.edit(bridge_edit(window.document.project, "shot_010", "shot_020", seconds=1.2, params=sections))
    assert window.document.project.recipe(window.document.project.clip("shot_015")).frames == 37
    problems = []
    window.show_problem = problems.append
    block = window.document.layout().block("shot_015")
    window.document.select("shot_015")
    window.transport.seek((block.span[0] + block.span[1]) // 2)
    window.actions.split.trigger()
    assert problems and "shot_015 cannot be split" in problems[-1]
    assert "ends on the next take's first frame" in problems[-1]
    assert _names(window) == ["shot_010", "shot_015", "shot_020"]
    window.document.select("shot_020")  # an ordinary clip still splits
    block = window.document.layout().block("shot_020")
    window.transport.seek((block.span[0] + block.span[1]) // 2)
    window.actions.split.trigger()
    assert len(_names(window)) == 4


def test_the_selection_says_which_cut(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=3))
    project = window.document.project
    assert cut_to_bridge(project, ["shot_010"]) == ("shot_010", "shot_020")
    assert cut_to_bridge(project, ["shot_030", "shot_020"]) == ("shot_020", "shot_030")
    assert cut_to_bridge(project, ["shot_030"]) is None  # nothing after the last clip
    problems = []
    window.show_problem = problems.append
    window.document.select("shot_030")
    window.actions.bridge.trigger()
    assert "select a clip that has a clip after it" in problems[-1]
    assert _names(window) == ["shot_010", "shot_020", "shot_030"]


def test_the_bridge_renders_after_its_neighbours_from_the_window(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=2, frames=12))
    window.queue.set_options(preset="tiny")
    window.document.select("shot_010")
    window.actions.bridge.trigger()
    qtbot.waitUntil(lambda: not window.queue.running, timeout=60000)
    states = {name: row.state.value for name, row in window.document.statuses().items()}
    assert states == {"shot_010": "rendered", "shot_015": "rendered", "shot_020": "rendered"}
