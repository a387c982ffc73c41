"""The F1 plugin driven by the engine: a carried three-clip project renders on CPU (tiny preset), then
nothing is stale; the takes play back with the expected frame counts."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")

from fp_timeline.engine.planner import plan_render  # noqa: E402
from fp_timeline.engine.renderer import render_project  # noqa: E402
from fp_timeline.project.document import new_project, save_project  # noqa: E402
from fp_timeline.project.edits import add_clip  # noqa: E402
from fp_timeline.project.takes import active_take  # noqa: E402
from fp_timeline_plugins.framepack_f1.context import PackedContext  # noqa: E402
from tests.f1_helpers import recipe, write_image  # noqa: E402


@pytest.mark.slow
def test_engine_renders_a_carried_three_clip_project(tmp_path):
    from fp_timeline.engine.media import read_frames

    torch.set_num_threads(2)
    write_image(tmp_path / "start.png", 11)
    project = new_project(tmp_path / "chain.otio", rate=30.0)
    for rec in (
        recipe("a lantern glows", 1, 2),
        recipe("the lantern swings", 2, 1, carry=True),
        recipe("the lantern goes out", 3, 1, carry=True, noise="continue"),
    ):
        add_clip(project, rec)
    save_project(project)

    jobs = plan_render(project)
    assert len(jobs) == 3
    render_project(project, jobs, options={"preset": "tiny", "device": "cpu"})

    counts = []
    for clip in project.generated_clips():
        take = active_take(clip)
        counts.append(len(read_frames(project.resolve(take.media))))
        assert PackedContext.load(project.resolve(take.context)).model_id.startswith("fp_timeline/tiny")
    assert counts == [25, 12, 12]
    assert [j for j in plan_render(project) if j.reuse is None] == []  # everything is up to date
