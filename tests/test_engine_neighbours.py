"""Protocol v2 dependencies on neighbours: a clip that lands on the next clip's first frame (a bridge) is
rendered after both neighbours, gets their frames, and goes stale when either changes."""

from __future__ import annotations

import numpy as np

from fp_timeline.engine.generator import ContextBlob, Dependency
from fp_timeline.engine.planner import plan_render
from fp_timeline.engine.renderer import render_project
from fp_timeline.engine.status import project_status
from fp_timeline.engine.validation import validate_project
from fp_timeline.project.document import new_project
from fp_timeline.project.edits import add_clip
from tests.engine_helpers import SIZE, SolidGenerator, animatic_recipe, take_frames, use_fake_generator, write_image


class SolidBridge(SolidGenerator):
    """Fades from the previous take's last frame to the next take's first: a bridge without a model."""

    id = "solid_bridge"

    def dependencies(self, recipe):
        return {Dependency.PREVIOUS_LAST_FRAME, Dependency.NEXT_FIRST_FRAME}

    def render(self, job, out, progress, cancel):
        start = job.neighbour_frames[Dependency.PREVIOUS_LAST_FRAME.value].astype(float)
        end = job.neighbour_frames[Dependency.NEXT_FIRST_FRAME.value].astype(float)
        count = job.recipe.frames
        for i in range(count):
            t = i / (count - 1)
            out.write(np.round((1 - t) * start + t * end).astype(np.uint8))
        job.context_path.write_bytes(b"bridge")
        return ContextBlob(job.context_path, job.recipe_hash)


def _project(tmp_path, monkeypatch, last: bool = True):
    use_fake_generator(monkeypatch, SolidGenerator())
    bridge = SolidBridge()
    from fp_timeline.engine import registry

    real = registry.load_generator
    monkeypatch.setattr(registry, "load_generator", lambda gid: bridge if gid == bridge.id else real(gid))
    write_image(tmp_path / "start.png")
    project = new_project(tmp_path / "p.otio", rate=SIZE["fps"])
    add_clip(project, animatic_recipe(6, seed=1).replace(generator="solid"), name="a")
    add_clip(project, animatic_recipe(8, seed=2).replace(generator="solid_bridge"), name="bridge")
    if last:
        add_clip(project, animatic_recipe(6, seed=3).replace(generator="solid"), name="c")
    return project


def test_a_bridge_renders_after_both_neighbours_and_lands_on_their_frames(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch)
    assert validate_project(project) == []
    jobs = plan_render(project)
    assert [j.clip for j in jobs] == ["a", "c", "bridge"]
    assert jobs[2].frames_from == ("a", "c")
    render_project(project, jobs)
    bridge = take_frames(project, "bridge").astype(float)
    assert abs(bridge[0].mean() - SolidGenerator.level(1, 5)) < 3  # a's last frame
    assert abs(bridge[-1].mean() - SolidGenerator.level(3, 0)) < 3  # c's first frame
    assert plan_render(project) == []


def test_a_bridge_goes_stale_when_either_neighbour_changes(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch)
    render_project(project, plan_render(project))
    clip = project.clip("c")
    project.set_recipe(clip, project.recipe(clip).replace(seed=7))
    states = {row.clip: row.state.value for row in project_status(project)}
    assert states == {"a": "rendered", "bridge": "stale", "c": "stale"}
    assert [j.clip for j in plan_render(project)] == ["c", "bridge"]


def test_asking_for_the_bridge_renders_a_missing_neighbour_first(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch)
    jobs = plan_render(project, targets=["bridge"])
    assert [(j.clip, j.reason) for j in jobs] == [
        ("a", "needed by bridge"),
        ("c", "needed by bridge"),
        ("bridge", "requested"),
    ]


def test_validate_says_a_bridge_needs_a_clip_after_it(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch, last=False)
    problems = validate_project(project)
    assert [(p.clip, p.message) for p in problems] == [("bridge", "needs a clip right after it (its first frame)")]


def test_validate_refuses_a_clip_that_carries_from_the_bridge_it_ends_on(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch)
    clip = project.clip("c")
    project.set_recipe(clip, project.recipe(clip).replace(context="carry", image=None))
    problems = [(p.clip, p.field) for p in validate_project(project)]
    assert ("bridge", "context") in problems
    assert [j.clip for j in plan_render(project)]  # the planner does not hang on the cycle
