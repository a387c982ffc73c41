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
