"""Takes in the window: a razor cut on a rendered chain plans no render, variations get their own
seeds, and a chosen variation sticks.  Screenshots go to tests/output/."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from fp_timeline.engine.planner import plan_render  # noqa: E402
from fp_timeline.project import timeline_edits  # noqa: E402
from fp_timeline.project.takes import takes_of  # noqa: E402
from tests.engine_helpers import rendered_chain  # noqa: E402
from tests.gui_helpers import make_window, screenshot  # noqa: E402

pytestmark = pytest.mark.gui
RENDER_TIMEOUT_MS = 60000


def _names(window) -> list[str]:
    return [item.name for item in window.document.project.tracks()[0]]


def _states(window) -> dict[str, str]:
    return {name: row.state.value for name, row in window.document.statuses().items()}


def _select_take(window, key: str) -> None:
    browser = window.inspector.take_browser
    browser.list.clearSelection()
    for row in range(browser.list.count()):
        item = browser.list.item(row)
        if item.data(Qt.UserRole) == key:
            item.setSelected(True)


def test_split_variations_and_choosing_a_take(qtbot, tmp_path):
    project = rendered_chain(tmp_path, lengths=(24, 12, 12), continue_noise=True)
    window = make_window(qtbot, tmp_path, project.path)
    window.resize(1400, 900)
    assert set(_states(window).values()) == {"rendered"}

    # A razor cut on the rendered carried chain: no sampling job is planned, nothing goes stale.
    window.document.select("shot_010")
    window.transport.seek(10)
    window.actions.split.trigger()
    assert _names(window) == ["shot_010", "shot_015", "shot_020", "shot_030"]
    jobs = plan_render(window.document.project, options=window.queue.options)
    assert jobs == []
    assert set(_states(window).values()) == {"rendered"}
    screenshot(window, "takes_after_split")

    # Three variations of shot_020: three new takes, three new seeds.
    window.document.select("shot_020")
    old_seed = window.document.project.recipe(window.document.project.clip("shot_020")).seed
    assert window.render_variations(3) == 3
    assert window.queue.rows["shot_020"].reason == "3 variations, one seed each"
    qtbot.waitUntil(lambda: not window.queue.running, timeout=RENDER_TIMEOUT_MS)
    assert window.queue.rows["shot_020"].state == "done"
    takes = takes_of(window.document.project.clip("shot_020"))
    new = takes[1:]
    assert len(new) == 3 and len({t.seed for t in new}) == 3 and old_seed not in {t.seed for t in new}
    assert window.inspector.takes.count() == 4
    assert _states(window)["shot_020"] == "rendered"
    screenshot(window, "takes_three_variations")

    # Compare two of them side by side.
    _select_take(window, new[0].key)
    window.inspector.take_browser.list.item(1).setSelected(True)
    dialog = window.inspector.take_browser.comparison(window.inspector.take_browser.selected_keys())
    dialog.show()
    qtbot.waitExposed(dialog)
    screenshot(dialog, "takes_compare")
    dialog.close()

    # Choose the second variation: the clip is rendered with that take's seed, and it sticks.
    second = new[1]
    _select_take(window, second.key)
    window.inspector.take_browser.use.click()
    clip = window.document.project.clip("shot_020")
    assert clip.active_media_reference_key == second.key
    assert window.document.project.recipe(clip).seed == second.seed
    assert _states(window)["shot_020"] == "rendered"
    assert [j.clip for j in plan_render(window.document.project, options=window.queue.options)] == ["shot_030"]
    screenshot(window, "takes_second_chosen")

    # Deleting a take's files, asked for explicitly (the window's ask() answers yes in tests).
    first_files = sorted(window.document.project.render_dir("shot_020").glob("take_001.*"))
    assert first_files
    _select_take(window, "take_001")
    window.inspector.take_browser.delete.click()
    assert [t.key for t in takes_of(window.document.project.clip("shot_020"))] == [t.key for t in new]
    assert not any(path.exists() for path in first_files)


@pytest.fixture
def slow_animatic(monkeypatch):
    """The animatic, slowed to ~20 frames a second, so a test can act while it renders."""
    import time

    from fp_timeline.engine import registry

    real_load = registry.load_generator

    class Slow:
        def __init__(self, inner):
            self.inner, self.id, self.version = inner, inner.id, inner.version

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def render(self, job, out, progress, cancel):
            def slowly(p):
                time.sleep(0.05)
                progress(p)

            return self.inner.render(job, out, slowly, cancel)

    monkeypatch.setattr(registry, "load_generator", lambda gid: Slow(real_load(gid)))


def test_the_queue_takes_work_while_rendering_replans_edits_and_cancels_deleted_clips(qtbot, tmp_path, slow_animatic):
    from tests.gui_helpers import fresh_clips_project

    window = make_window(qtbot, tmp_path, fresh_clips_project(tmp_path, count=3, frames=20))
    queue = window.queue
    assert window.start_render(["shot_010", "shot_020"]) == 2
    qtbot.waitUntil(lambda: queue.rows["shot_010"].state == "rendering", timeout=RENDER_TIMEOUT_MS)

    # More work while rendering: it waits its turn instead of being refused.
    assert window.start_render(["shot_030"]) == 1
    assert queue.rows["shot_030"].state == "queued" and "waiting" in queue.rows["shot_030"].reason

    # shot_020 is edited while queued: its planned job is dropped and it is planned again afterwards.
    project = window.document.project
    clip = project.clip("shot_020")
    window.run_edit(lambda p: timeline_edits.set_recipe(p, "shot_020", p.recipe(clip).replace(prompt="edited"), "Edit"))
    assert queue.rows["shot_020"].state == "cancelled" and "edited while queued" in queue.rows["shot_020"].message

    # shot_010 is deleted while it renders: cancelled, with the reason, never "done".
    window.document.select("shot_010")
    window.actions.delete.trigger()
    assert queue.rows["shot_010"].state == "cancelled"
    assert "deleted while rendering" in queue.rows["shot_010"].message
    screenshot(window, "takes_queue_while_rendering")

    qtbot.waitUntil(lambda: not queue.running and not queue._waiting, timeout=RENDER_TIMEOUT_MS)
    states = _states(window)
    assert "shot_010" not in states
    assert states["shot_020"] == "rendered" and states["shot_030"] == "rendered"
    assert window.document.project.recipe(window.document.project.clip("shot_020")).prompt == "edited"
    assert queue.rows.get("shot_010") is None or queue.rows["shot_010"].state != "done"
