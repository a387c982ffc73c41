"""Lengths are judged by the recipe's own settings, and refused before anything renders."""

from __future__ import annotations

import pytest

from fp_timeline.engine.planner import plan_render
from fp_timeline.engine.renderer import render_job
from fp_timeline.engine.validation import recipe_problems, validate_project
from fp_timeline.project.document import load_project, save_project
from fp_timeline.project.errors import ProjectError
from fp_timeline.project.recipe import ContextMode, Recipe
from fp_timeline_plugins.framepack_f1.generator import FramePackF1Generator
from tests.project_helpers import chain_project


def f1_recipe(frames: int, carry: bool = False, **params) -> Recipe:
    context = ContextMode.CARRY if carry else ContextMode.FRESH
    image = None if carry else "images/start.png"
    return Recipe("x", 1, frames, width=32, height=32, image=image, context=context, params=params)


def test_snap_frames_uses_the_recipes_latent_window():
    f1 = FramePackF1Generator()
    window5 = f1_recipe(21, latent_window_size=5)
    assert f1.snap_frames(40, carried=True, recipe=window5) == 40  # two sections of 20
    assert f1.snap_frames(40, carried=True) == 36  # the default window of 9: one section of 36
    assert recipe_problems(window5) == []
    problems = recipe_problems(f1_recipe(41, carry=True, latent_window_size=5))
    assert [p.field for p in problems] == ["frames"] and "nearest is 40" in problems[0].message


def test_a_carried_clip_of_part_sections_is_refused_before_rendering(tmp_path):
    project = chain_project(tmp_path, clips=2, generator="framepack_f1", frames=37)
    clip = project.clip("shot_020")
    project.set_recipe(clip, project.recipe(clip).replace(frames=37))  # 36 + the fresh start frame: one short
    save_project(project)
    problems = validate_project(load_project(project.path))
    assert [(p.clip, p.field) for p in problems] == [("shot_020", "frames")]
    assert "nearest is 36" in problems[0].message

    job = next(j for j in plan_render(project, ["shot_020"]) if j.clip == "shot_020")
    with pytest.raises(ProjectError, match="shot_020.*frames.*nearest is 36"):
        render_job(project, job, {"preset": "tiny", "device": "cpu"})
    assert not project.render_dir("shot_020").exists()  # nothing was written


def test_splitting_an_unrendered_clip_snaps_to_its_own_sections(tmp_path):
    from fp_timeline.engine.registry import snap_frames
    from fp_timeline.project import timeline_edits

    project = chain_project(tmp_path, clips=1, generator="framepack_f1", frames=41)
    clip = project.clip("shot_010")
    project.set_recipe(clip, project.recipe(clip).replace(params={"latent_window_size": 5}))  # 1 + 2 x 20
    timeline_edits.apply(project, timeline_edits.split(project, "shot_010", 18, snap_frames))
    frames = [project.recipe(c).frames for c in project.generated_clips()]
    assert frames == [21, 20]  # whole sections of 20 frames, not the default window's 36
    assert recipe_problems(project.recipe(list(project.generated_clips())[1])) == []


def test_one_snap_frames_for_every_caller():
    """``registry.snap_frames`` is what the inspector (duration with the recipe, generator change without),
    new image clips, split, trim and overwrite snap with: the generator's rule, never below one frame,
    and an unknown generator keeps the length."""
    from fp_timeline.engine.registry import load_generator, snap_frames
    from fp_timeline.project.recipe import ContextMode, Recipe

    f1 = load_generator("framepack_f1")
    recipe = Recipe(
        prompt="p", seed=1, frames=40, image="a.png", generator="framepack_f1", params={"latent_window_size": 5}
    )
    for frames in (1, 37, 60, 121):
        for carried in (False, True):
            assert snap_frames("framepack_f1", frames, carried) == f1.snap_frames(frames, carried=carried)
            with_recipe = f1.snap_frames(frames, carried=carried, recipe=recipe)
            assert snap_frames("framepack_f1", frames, carried, recipe) == with_recipe
    assert snap_frames("framepack_f1", 121, False, recipe) != snap_frames("framepack_f1", 121, False)  # its window
    carried = recipe.replace(context=ContextMode.CARRY, image=None)
    assert snap_frames("framepack_f1", 0, True, carried) == f1.snap_frames(1, carried=True, recipe=carried)
    assert snap_frames("no_such_generator", 37, False) == 37
    assert snap_frames("no_such_generator", -3, False) == 1
