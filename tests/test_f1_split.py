"""A razor cut on a rendered F1 clip costs no sampling, and equals rendering the halves from scratch."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from fp_timeline.engine.media import read_frames
from fp_timeline.engine.planner import plan_render
from fp_timeline.engine.renderer import render_project
from fp_timeline.engine.split import split_rendered
from fp_timeline.engine.status import project_status
from fp_timeline.project.document import Project, load_project, save_project
from fp_timeline.project.hashing import ClipState
from fp_timeline.project.takes import GENERATOR_KEY, active_take
from tests.project_helpers import chain_project

torch = pytest.importorskip("torch")
OPTIONS = {"preset": "tiny", "device": "cpu"}
PARAMS = {"latent_window_size": 2, "steps": 2}  # sections of 8 frames, two sampler steps: quick on a CPU


def rendered_f1_chain(folder):
    """shot_010: fresh, 3 sections (25 frames); shot_020 carries from it (1 section)."""
    project = chain_project(folder, clips=2, generator="framepack_f1", frames=25)
    for clip, frames in zip(project.generated_clips(), (25, 8), strict=True):
        project.set_recipe(clip, project.recipe(clip).replace(frames=frames, params=PARAMS))
    save_project(project)
    render_project(project, plan_render(project, options=OPTIONS), OPTIONS)
    return load_project(project.path)


def sections_of(project, clip):
    from fp_timeline_plugins.framepack_f1.split import TakeSections, sections_path

    return TakeSections.load(sections_path(project.resolve(active_take(project.clip(clip)).context)))


@pytest.mark.slow
def test_split_plans_no_sampling_and_equals_rendering_the_halves(tmp_path):
    torch.set_num_threads(1)
    project = rendered_f1_chain(tmp_path)
    long_frames = read_frames(project.resolve(active_take(project.clip("shot_010")).media))

    first, second = split_rendered(project, "shot_010", at_frame=12, options=OPTIONS)  # snapped to 9 = 1 + 8
    save_project(project)
    split = load_project(project.path)
    assert (first, second) == ("shot_010", "shot_015")
    assert [c.name for c in split.generated_clips()] == ["shot_010", "shot_015", "shot_020"]
    assert [split.recipe(c).frames for c in split.generated_clips()] == [9, 16, 8]
    assert plan_render(split, options=OPTIONS) == []  # 0 sampling jobs: nothing is stale, downstream included
    assert {r.state for r in project_status(split, OPTIONS)} == {ClipState.RENDERED}
    halves = [read_frames(split.resolve(active_take(split.clip(n)).media)) for n in (first, second)]
    assert len(halves[0]) + len(halves[1]) == len(long_frames) == 25

    # The same two recipes rendered from scratch, in a project beside it.
    scratch = Project(path=tmp_path / "scratch.otio", timeline=copy.deepcopy(split.timeline))
    for clip in scratch.generated_clips():
        clip.set_media_references({GENERATOR_KEY: clip.media_references()[GENERATOR_KEY]}, GENERATOR_KEY)
    save_project(scratch)
    jobs = plan_render(scratch, options=OPTIONS)
    assert [j.clip for j in jobs] == ["shot_010", "shot_015", "shot_020"]
    render_project(scratch, jobs, OPTIONS)
    fresh = load_project(scratch.path)
    for name in (first, second):
        ours, theirs = sections_of(split, name), sections_of(fresh, name)
        assert len(ours.latents) == len(theirs.latents)
        assert all(torch.equal(a, b) for a, b in zip(ours.latents, theirs.latents, strict=True))
        assert all(torch.equal(a, b) for a, b in zip(ours.rng_states, theirs.rng_states, strict=True))
        made = read_frames(fresh.resolve(active_take(fresh.clip(name)).media))
        cut = read_frames(split.resolve(active_take(split.clip(name)).media))
        assert np.array_equal(made, cut), name
    # The clip after the cut continues the very same context either way.
    assert np.array_equal(
        read_frames(fresh.resolve(active_take(fresh.clip("shot_020")).media)),
        read_frames(split.resolve(active_take(split.clip("shot_020")).media)),
    )


@pytest.mark.slow
def test_changing_the_second_half_rerenders_only_it_and_what_follows(tmp_path):
    project = rendered_f1_chain(tmp_path)
    split_rendered(project, "shot_010", at_frame=17, options=OPTIONS)  # after two sections
    clip = project.clip("shot_015")
    project.set_recipe(clip, project.recipe(clip).replace(prompt="something else"))
    assert [j.clip for j in plan_render(project, options=OPTIONS)] == ["shot_015", "shot_020"]
