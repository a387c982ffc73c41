"""Variations: a new take is a new seed; each take keeps its recipe; a chosen take sticks."""

from __future__ import annotations

import pytest

from fp_timeline.engine.planner import plan_render
from fp_timeline.engine.renderer import render_project
from fp_timeline.engine.status import project_status
from fp_timeline.engine.variations import choose_take, plan_variations, variation_seeds
from fp_timeline.project.document import load_project, save_project
from fp_timeline.project.errors import ProjectError
from fp_timeline.project.hashing import ClipState
from fp_timeline.project.takes import active_take, takes_of
from tests.engine_helpers import rendered_chain, take_frames


def states(project):
    return {row.clip: row.state for row in project_status(project)}


def test_three_variations_make_three_takes_with_three_seeds(tmp_path):
    project = rendered_chain(tmp_path)
    first_seed = project.recipe(project.clip("shot_020")).seed
    seeds = variation_seeds(project, "shot_020", 3)
    assert len(set(seeds)) == 3 and first_seed not in seeds
    jobs = plan_variations(project, "shot_020", seeds)
    assert [(j.clip, j.recipe.seed, j.variation) for j in jobs] == [("shot_020", s, True) for s in seeds]
    render_project(project, jobs)

    reloaded = load_project(project.path)
    clip = reloaded.clip("shot_020")
    assert [t.seed for t in takes_of(clip)] == [first_seed, *seeds]
    assert reloaded.recipe(clip).seed == seeds[-1]  # the newest variation is the clip's recipe
    assert states(reloaded)["shot_020"] is ClipState.RENDERED
    assert states(reloaded)["shot_030"] is ClipState.STALE  # it carried from the old take


def test_choosing_an_older_variation_sticks(tmp_path):
    project = rendered_chain(tmp_path)
    seeds = variation_seeds(project, "shot_020", 3)
    render_project(project, plan_variations(project, "shot_020", seeds))
    second = takes_of(project.clip("shot_020"))[2]
    assert second.seed == seeds[1]

    recipe = choose_take(project, "shot_020", second.key)
    save_project(project)
    assert recipe.seed == seeds[1]
    reloaded = load_project(project.path)
    assert active_take(reloaded.clip("shot_020")).key == second.key
    assert states(reloaded)["shot_020"] is ClipState.RENDERED  # not stale
    jobs = plan_render(reloaded)
    assert [j.clip for j in jobs] == ["shot_030"]  # only what carries from it; the choice is not re-rolled
    render_project(reloaded, jobs)
    again = load_project(project.path)
    assert active_take(again.clip("shot_020")).key == second.key and plan_render(again) == []


def test_the_same_seed_renders_the_same_frames_and_new_seeds_differ(tmp_path):
    project = rendered_chain(tmp_path)
    clip = project.clip("shot_010")  # a fast pan, so the seed's direction shows after H.264
    project.set_recipe(clip, project.recipe(clip).replace(params={"pan_per_second": 1.0}))
    render_project(project, plan_render(project))
    before = take_frames(project, "shot_010")
    render_project(project, plan_variations(project, "shot_010", variation_seeds(project, "shot_010", 1, True)))
    assert (take_frames(project, "shot_010") == before).all()
    render_project(project, plan_variations(project, "shot_010", variation_seeds(project, "shot_010", 1)))
    assert not (take_frames(project, "shot_010") == before).all()


def test_chain_with_one_new_seed_replans_what_carries_from_it(tmp_path):
    project = rendered_chain(tmp_path)
    jobs = plan_variations(project, "shot_020", [7], chain=True)
    assert [(j.clip, j.variation) for j in jobs] == [("shot_020", True), ("shot_030", False)]
    render_project(project, jobs)
    assert set(states(load_project(project.path)).values()) == {ClipState.RENDERED}
    with pytest.raises(ProjectError, match="--chain continues one new take"):
        plan_variations(project, "shot_020", [1, 2], chain=True)


def test_a_variation_of_a_clip_that_continued_the_noise_gets_noise_of_its_own(tmp_path):
    from fp_timeline.project.recipe import NoiseMode

    project = rendered_chain(tmp_path, continue_noise=True)
    clip = project.clip("shot_020")  # a fast pan, so the seed's direction shows after H.264
    project.set_recipe(clip, project.recipe(clip).replace(params={"pan_per_second": 2.0}))
    assert project.recipe(project.clip("shot_020")).noise is NoiseMode.CONTINUE
    jobs = plan_variations(project, "shot_020", [11, 12])
    assert [(j.recipe.seed, j.recipe.noise) for j in jobs] == [(11, NoiseMode.OWN), (12, NoiseMode.OWN)]
    render_project(project, jobs)
    a, b = (take_frames_of(project, "shot_020", t.key) for t in takes_of(project.clip("shot_020"))[1:])
    assert not (a == b).all()  # the seeds show
    same = plan_variations(project, "shot_020", [project.recipe(project.clip("shot_020")).seed])
    assert same[0].recipe == project.recipe(project.clip("shot_020"))  # the same seed changes nothing


def take_frames_of(project, clip, key):
    from fp_timeline.engine.media import read_frames

    take = next(t for t in takes_of(project.clip(clip)) if t.key == key)
    return read_frames(project.resolve(take.media))
