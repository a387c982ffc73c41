"""The Ray executor and clips that take their neighbours' frames: a bridge runs in a wave after its
neighbours (its frames are read from their published takes), never beside them with stale frames."""

from __future__ import annotations

import pytest

pytest.importorskip("ray")

from fp_timeline.engine.executor import Run  # noqa: E402
from fp_timeline.engine.planner import PlannedJob  # noqa: E402
from fp_timeline.engine.ray_executor import waves_of  # noqa: E402
from fp_timeline.project.recipe import Recipe  # noqa: E402

RECIPE = Recipe("x", 1, 13)


def _job(clip: str, upstream: str | None = None, frames_from: tuple[str, ...] = ()) -> PlannedJob:
    return PlannedJob(clip, "V1", RECIPE, clip, upstream, None, "unrendered", frames_from=frames_from)


def _names(waves: list[list[PlannedJob]]) -> list[list[str]]:
    return [[job.clip for job in wave] for wave in waves]


def test_a_bridge_waits_for_both_neighbours_and_chains_stay_together():
    jobs = [_job("a"), _job("b", upstream="a"), _job("d"), _job("bridge", frames_from=("b", "d")), _job("e", "d")]
    assert _names(waves_of(jobs)) == [["a", "b", "d", "e"], ["bridge"]]


def test_a_bridge_whose_neighbours_are_already_rendered_runs_at_once():
    assert _names(waves_of([_job("bridge", frames_from=("a", "c")), _job("x")])) == [["bridge", "x"]]
    assert waves_of([]) == []


def test_a_bridge_after_a_failed_neighbour_is_failed_not_started():
    from fp_timeline.engine.ray_executor import _startable

    failed: list[str] = []
    run = Run(jobs=[_job("a"), _job("bridge", frames_from=("a", "c"))])
    run.events.failed = lambda job, err: failed.append(f"{job.clip}: {err}")
    run.fail(run.jobs[0], RuntimeError("boom"))
    assert _startable([run.jobs[1]], run) == []
    assert failed[-1] == "bridge: clip 'bridge': takes frames from 'a', which failed to render"


@pytest.mark.slow
def test_a_bridge_renders_on_ray_after_its_neighbours_and_lands_on_their_takes(tmp_path):
    """End to end on a local Ray cluster: the neighbours run in the first wave, the bridge in the second."""
    import ray

    pytest.importorskip("torch")
    from fp_timeline.engine.optional_ray import ray_executor
    from fp_timeline.engine.planner import plan_render
    from fp_timeline.engine.renderer import render_project
    from fp_timeline.engine.status import project_status
    from tests.engine_helpers import take_frames
    from tests.test_bridge_anchors import psnr
    from tests.test_bridge_engine import MIN_LANDING_PSNR, TOY, _bridged

    project = _bridged(tmp_path)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    executor = ray_executor()
    try:
        render_project(project, plan_render(project, options=TOY), TOY, executor=executor)
    finally:
        executor.close()
        ray.shutdown()
    assert {row.clip: row.state.value for row in project_status(project, TOY)} == dict.fromkeys(
        ("shot_010", "shot_015", "shot_020"), "rendered"
    )
    frames = take_frames(project, "shot_015")
    assert psnr(frames[0], take_frames(project, "shot_010")[-1]) >= MIN_LANDING_PSNR
    assert psnr(frames[-1], take_frames(project, "shot_020")[0]) >= MIN_LANDING_PSNR
