"""Executing renders: split == continuous, resume after a kill, failures leave the project as it was."""

from __future__ import annotations

import copy

import numpy as np
import opentimelineio as otio
import pytest

from fp_timeline.engine.generator import CancelToken, RenderCancelled
from fp_timeline.engine.media import probe
from fp_timeline.engine.planner import plan_render
from fp_timeline.engine.renderer import apply_take, render_job, render_project
from fp_timeline.engine.store import work_dir
from fp_timeline.engine.validation import validate_project
from fp_timeline.project.document import load_project, new_project, save_project
from fp_timeline.project.edits import add_clip
from fp_timeline.project.takes import takes_of
from tests.engine_helpers import (
    InterruptedAnimatic,
    SimulatedKill,
    animatic_recipe,
    chain_project,
    rendered_chain,
    take_frames,
    use_fake_generator,
    write_image,
)


def _otio_text(project) -> str:
    return otio.adapters.write_to_string(project.timeline, adapter_name="otio_json")


def test_take_files_are_h264_mp4_with_context_and_record(tmp_path):
    project = rendered_chain(tmp_path)
    take = takes_of(project.clip("shot_020"))[0]
    info = probe(project.resolve(take.media))
    assert (info.frames, info.rate, info.width, info.height) == (8, 24.0, 64, 48)
    assert project.resolve(take.context).is_file()
    assert project.resolve(take.media).with_suffix(".json").is_file()
    assert not (project.data_dir / "work").exists()  # checkpoints cleaned after success


def test_split_render_equals_continuous_render(tmp_path):
    """A carried clip rendered later, in a fresh load, from the saved context == one continuous run."""
    continuous = rendered_chain(tmp_path / "continuous")

    split = chain_project(tmp_path / "split")
    render_project(split, plan_render(split, ["shot_010"]))
    for name in ("shot_020", "shot_030"):
        later = load_project(split.path)  # as if another process
        render_project(later, plan_render(later, [name]))
    split = load_project(split.path)
    for name in ("shot_010", "shot_020", "shot_030"):
        np.testing.assert_array_equal(take_frames(split, name), take_frames(continuous, name))


def test_continue_noise_chain_equals_one_long_clip(tmp_path, monkeypatch):
    """With ``noise: continue`` the animatic's cuts are invisible: the generator writes the same frames
    as for one long shot (compared before H.264, whose separate encodes differ at the cuts)."""
    frames: dict[tuple[str, str], list[np.ndarray]] = {}
    from fp_timeline.engine import take_files

    class Recording(take_files.VideoWriter):
        def write(self, frame):
            # .../<project folder>/demo.fp/renders/<clip>/take_001.mp4
            frames.setdefault((self.path.parts[-5], self.path.parent.name), []).append(frame.copy())
            super().write(frame)

    monkeypatch.setattr(take_files, "VideoWriter", Recording)
    rendered_chain(tmp_path / "chain", lengths=(12, 8, 8), continue_noise=True)
    rendered_chain(tmp_path / "long", lengths=(28,))
    joined = np.stack([f for clip in ("shot_010", "shot_020", "shot_030") for f in frames["chain", clip]])
    np.testing.assert_array_equal(joined, np.stack(frames["long", "shot_010"]))


def test_render_job_does_not_mutate_the_project(tmp_path):
    project = chain_project(tmp_path)
    job = plan_render(project)[0]
    before = _otio_text(project)
    take = render_job(copy.deepcopy(project), job)  # the GUI renders on a deep copy
    assert _otio_text(project) == before
    apply_take(project, job, take)
    assert project.clip("shot_010").active_media_reference_key == take.key


def test_resume_after_a_killed_render(tmp_path, monkeypatch):
    reference = rendered_chain(tmp_path / "reference")
    project = chain_project(tmp_path / "killed")
    flaky = InterruptedAnimatic(fail_after=5)
    use_fake_generator(monkeypatch, flaky)

    # shot_010 finishes; shot_020 dies after 5 frames.
    flaky.fail_after = None
    jobs = plan_render(project)
    render_project(project, jobs[:1])
    flaky.fail_after = 5
    saved = project.path.read_bytes()
    with pytest.raises(SimulatedKill):
        render_project(project, plan_render(project))
    assert project.path.read_bytes() == saved  # the clip in flight is lost, nothing else
    assert not list(project.render_dir("shot_020").glob("take_*"))  # no half take under a take name
    scratch = work_dir(project, "shot_020", jobs[1].recipe_hash)
    assert len(list(scratch.glob("done_*"))) == 5  # checkpoints survive the kill

    resumed = load_project(project.path)
    render_project(resumed, plan_render(resumed))
    assert flaky.found_checkpoints[-2:] == [5, 0]  # shot_020 found its 5 checkpoints; shot_030 none
    assert flaky.work_dirs[-2] == scratch
    final = load_project(project.path)
    assert validate_project(final) == []
    assert plan_render(final) == []
    assert not scratch.exists()
    for name in ("shot_010", "shot_020", "shot_030"):
        np.testing.assert_array_equal(take_frames(final, name), take_frames(reference, name))


def test_cancelled_render_leaves_the_project_byte_identical(tmp_path):
    project = chain_project(tmp_path)
    before = project.path.read_bytes()
    cancel = CancelToken()

    def progress(p):
        if p.step == 3:
            cancel.cancel()

    with pytest.raises(RenderCancelled):
        render_project(project, plan_render(project), progress=progress, cancel=cancel)
    assert project.path.read_bytes() == before
    assert not (project.data_dir / "work").exists()  # the animatic checkpoints nothing: no empty folders
    assert not list(project.render_dir("shot_010").glob("take_*"))
    assert not list(project.render_dir("shot_010").glob(".*partial*"))


def test_failed_render_leaves_the_project_byte_identical(tmp_path):
    project = chain_project(tmp_path)
    before = project.path.read_bytes()
    (tmp_path / "start.png").unlink()  # the generator cannot open its start image
    with pytest.raises(FileNotFoundError):
        render_project(project, plan_render(project))
    assert project.path.read_bytes() == before


def test_carried_job_without_upstream_context_is_refused_clearly(tmp_path):
    project = chain_project(tmp_path)
    job = plan_render(project)[1]
    with pytest.raises(Exception, match="render 'shot_010' first"):
        render_job(project, job)


def test_odd_sized_frames_are_padded_to_even(tmp_path):
    write_image(tmp_path / "start.png")
    project = new_project(tmp_path / "odd.otio", rate=24.0)
    add_clip(project, animatic_recipe(4, width=48, height=48))
    save_project(project)
    from fp_timeline.engine.media import VideoWriter

    writer = VideoWriter(tmp_path / "odd.mp4", rate=24.0)
    for _ in range(3):
        writer.write(np.zeros((31, 45, 3), dtype=np.uint8))
    assert not (tmp_path / "odd.mp4").exists()  # only the hidden partial file until close
    writer.close()
    info = probe(tmp_path / "odd.mp4")
    assert (info.frames, info.width, info.height) == (3, 46, 32)
