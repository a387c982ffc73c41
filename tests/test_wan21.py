"""Wan 2.1 I2V on its tiny preset: validate's length rules, a CPU render, a carried clip's start frame, and a
Wan clip feeding an F1 carry clip on a 30 fps timeline that conforms."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from fp_timeline.engine.generator import CancelToken, ContextBlob
from fp_timeline.engine.validation import recipe_problems
from fp_timeline.project.recipe import ContextMode, Recipe
from fp_timeline_plugins.wan21_i2v.config import MAX_FRAMES, snapped_frames
from fp_timeline_plugins.wan21_i2v.generator import Wan21I2VGenerator, _start_image
from tests.f1_helpers import ListSink, job, write_image

SIZE = 32
TINY = {"steps": 2}


def wan_recipe(frames: int = 9, carry: bool = False, **changes) -> Recipe:
    recipe = Recipe(
        prompt="waves roll in",
        seed=3,
        frames=frames,
        width=SIZE,
        height=SIZE,
        fps=16.0,
        image=None if carry else "start.png",
        generator="wan21_i2v",
        params=dict(TINY),
        context=ContextMode.CARRY if carry else ContextMode.FRESH,
    )
    return recipe.replace(**changes)


def test_validate_says_how_long_wan_clips_can_be():
    assert recipe_problems(wan_recipe(81)) == []
    too_long = {p.field: p.message for p in recipe_problems(wan_recipe(161))}
    assert "at most 81 frames" in too_long["frames"] and "5.1 s at 16 fps" in too_long["frames"]
    assert "nearest is 17" in recipe_problems(wan_recipe(18))[0].message
    assert recipe_problems(wan_recipe(9, fps=30.0))[0].field == "fps"
    assert {p.field for p in recipe_problems(wan_recipe(9, params={"steps": 0}))} == {"params.steps"}
    assert [snapped_frames(n) for n in (1, 4, 200)] == [1, 5, MAX_FRAMES]


torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def generator():
    torch.set_num_threads(2)
    return Wan21I2VGenerator(preset="tiny")


def test_a_tiny_wan_clip_renders_on_the_cpu_deterministically(generator, tmp_path):
    image = write_image(tmp_path / "start.png", 1)
    frames = []
    for attempt in range(2):
        sink = ListSink()
        steps = []
        j = job(tmp_path, f"W{attempt}", wan_recipe(9), image=image)
        generator.render(j, sink, lambda p, steps=steps: steps.append(p.step), CancelToken())
        frames.append(np.stack(sink.frames))
        assert steps[-2:] == [1, 2]
    assert frames[0].shape == (9, SIZE, SIZE, 3) and frames[0].std() > 1
    assert np.array_equal(frames[0], frames[1])
    other = ListSink()
    generator.render(job(tmp_path, "W2", wan_recipe(9, seed=4), image=image), other, lambda p: None, CancelToken())
    assert not np.array_equal(np.stack(other.frames), frames[0])  # the seed matters


def test_a_carried_wan_clip_starts_from_the_last_frame_before_it(generator, tmp_path):
    image = write_image(tmp_path / "start.png", 2)
    first = job(tmp_path, "A", wan_recipe(5), image=image)
    sink = ListSink()
    blob = generator.render(first, sink, lambda p: None, CancelToken())
    carried = dataclasses.replace(job(tmp_path, "B", wan_recipe(5, carry=True)), incoming=ContextBlob(blob.path, "h"))
    assert np.array_equal(np.asarray(_start_image(carried)), sink.frames[-1])


@pytest.mark.slow
def test_a_wan_clip_feeds_an_f1_carry_clip_and_the_track_conforms_at_30_fps(tmp_path):
    """Mixed generators on one track: Wan (16 fps) then F1 carrying from the Wan take's last frames."""
    from fp_timeline.engine.conform import conform_timeline
    from fp_timeline.engine.media import probe, read_frames
    from fp_timeline.engine.planner import plan_render
    from fp_timeline.engine.renderer import render_project
    from fp_timeline.engine.validation import validate_project
    from fp_timeline.project.document import new_project
    from fp_timeline.project.edits import add_clip
    from tests.f1_helpers import recipe as f1_recipe

    write_image(tmp_path / "start.png", 3)
    project = new_project(tmp_path / "mixed.otio", rate=30.0)
    add_clip(project, wan_recipe(17), name="wave")
    add_clip(project, f1_recipe("the wave breaks", 5, 1, carry=True), name="break")
    assert validate_project(project) == []
    options = {"preset": "tiny", "device": "cpu"}
    jobs = plan_render(project, options=options)
    assert [j.clip for j in jobs] == ["wave", "break"]
    render_project(project, jobs, options)
    movie = conform_timeline(project, tmp_path / "mixed.mp4", options=options)
    info = probe(tmp_path / "mixed.mp4")
    assert info.rate == 30
    wave_seconds, break_frames = 17 / 16, 12
    assert abs(info.frames - (round(wave_seconds * 30) + break_frames)) <= 1, movie
    assert read_frames(tmp_path / "mixed.mp4").std() > 1
