"""The executor interface with the in-process executor: events, per-clip cancels, failures."""

from __future__ import annotations

import pytest

from fp_timeline.engine.executor import ClipCancels, RenderEvents
from fp_timeline.engine.generator import RenderCancelled
from fp_timeline.engine.optional_ray import ray_executor
from fp_timeline.engine.planner import plan_render
from fp_timeline.engine.renderer import LocalExecutor, apply_take
from fp_timeline.project.edits import add_clip
from fp_timeline.project.errors import ProjectError
from tests.engine_helpers import InterruptedAnimatic, SimulatedKill, animatic_recipe, chain_project, use_fake_generator


def recording(log: list[tuple[str, str]], project=None, keep_going: bool = False) -> RenderEvents:
    def finished(job, take):
        log.append(("finished", job.clip))
        if project is not None:
            apply_take(project, job, take)

    return RenderEvents(
        started=lambda job: log.append(("started", job.clip)),
        finished=finished,
        failed=lambda job, err: log.append(("failed", job.clip)),
        cancelled=lambda job: log.append(("cancelled", job.clip)),
        keep_going=keep_going,
    )


def test_local_executor_reports_each_clip_in_plan_order(tmp_path):
    project = chain_project(tmp_path)
    log: list[tuple[str, str]] = []
    LocalExecutor().run(project, plan_render(project), {}, recording(log, project), ClipCancels())
    assert log == [(event, clip) for clip in ("shot_010", "shot_020", "shot_030") for event in ("started", "finished")]


def test_cancelling_one_clip_cancels_the_clips_that_carry_from_it_only(tmp_path):
    project = chain_project(tmp_path)
    add_clip(project, animatic_recipe(6, seed=9))  # shot_040: a fresh clip, independent of the chain
    cancels = ClipCancels()
    cancels.cancel("shot_020")
    log: list[tuple[str, str]] = []
    LocalExecutor().run(project, plan_render(project), {}, recording(log, project), cancels)
    assert ("cancelled", "shot_020") in log and ("cancelled", "shot_030") in log
    assert ("finished", "shot_010") in log and ("finished", "shot_040") in log


def test_cancelling_everything_raises_after_reporting_each_clip(tmp_path):
    project = chain_project(tmp_path)
    cancels = ClipCancels()
    cancels.cancel()
    log: list[tuple[str, str]] = []
    with pytest.raises(RenderCancelled):
        LocalExecutor().run(project, plan_render(project), {}, recording(log), cancels)
    assert log == [("cancelled", c) for c in ("shot_010", "shot_020", "shot_030")]


def test_keep_going_skips_the_failed_chain_but_renders_independent_clips(tmp_path, monkeypatch):
    project = chain_project(tmp_path)
    add_clip(project, animatic_recipe(6, seed=9))
    use_fake_generator(monkeypatch, InterruptedAnimatic(fail_after=2))
    log: list[tuple[str, str]] = []
    LocalExecutor().run(project, plan_render(project), {}, recording(log, project, keep_going=True), ClipCancels())
    assert ("failed", "shot_010") in log
    assert ("failed", "shot_020") in log and ("started", "shot_020") not in log  # never ran: no context
    assert ("finished", "shot_040") in log


def test_without_keep_going_the_first_failure_is_raised(tmp_path, monkeypatch):
    project = chain_project(tmp_path)
    use_fake_generator(monkeypatch, InterruptedAnimatic(fail_after=2))
    log: list[tuple[str, str]] = []
    with pytest.raises(SimulatedKill):
        LocalExecutor().run(project, plan_render(project), {}, recording(log), ClipCancels())
    assert log == [("started", "shot_010"), ("failed", "shot_010")]


def test_asking_for_ray_without_ray_says_how_to_install_it(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a))
    with pytest.raises(ProjectError, match=r'pip install "fp-timeline\[ray\]"'):
        ray_executor()


def test_a_remote_workers_staged_mp4_is_cleaned_once_its_driver_is_gone(tmp_path):
    import os

    from fp_timeline.engine.leftovers import clean_leftovers

    project = chain_project(tmp_path)
    folder = project.render_dir("shot_010")
    folder.mkdir(parents=True)
    staged = [folder / ".take_001.remote.mp4", folder / "..take_001.remote.partial.mp4"]
    live = [folder / ".take_002.remote.mp4", folder / ".take_002.reserved"]
    for path in staged + live:
        path.write_text(str(os.getpid()))  # take_002 is reserved by this (live) process
    clean_leftovers(project)
    assert [p.exists() for p in staged] == [False, False]
    assert all(p.exists() for p in live)


def test_every_executor_reports_through_run_and_raises_when_everything_was_cancelled(tmp_path):
    """``Executor.run`` is the executors' one frame: a start is said once, and a run cancelled as a
    whole raises even when the executor had nothing left to do (Ray with only reused takes returned)."""
    from fp_timeline.engine.executor import Executor

    project = chain_project(tmp_path)
    jobs = plan_render(project)

    class Reusing(Executor):  # what RayExecutor does with takes it only switches back on
        name = "reusing"

        def render(self, project, options, run):
            for job in run.jobs:
                run.start(job)
                run.start(job)  # a worker's start report arriving late: said once
                run.finish(job, None)

    log: list[tuple[str, str]] = []
    cancels = ClipCancels()
    cancels.cancel()
    with pytest.raises(RenderCancelled):
        Reusing().run(project, jobs, {}, recording(log), cancels)
    assert log == [(event, job.clip) for job in jobs for event in ("started", "finished")]
