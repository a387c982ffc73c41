"""Render planning: only what changed, in dependency order; takes kept and never overwritten."""

from __future__ import annotations

import pytest

from fp_timeline.engine.planner import plan_render
from fp_timeline.engine.renderer import render_project
from fp_timeline.engine.status import project_status
from fp_timeline.project.document import load_project, save_project
from fp_timeline.project.edits import add_clip
from fp_timeline.project.errors import ProjectError
from fp_timeline.project.takes import takes_of
from tests.engine_helpers import animatic_recipe, chain_project, rendered_chain


def _edit_prompt(project, name: str, prompt: str) -> None:
    clip = project.clip(name)
    project.set_recipe(clip, project.recipe(clip).replace(prompt=prompt))


def _states(project) -> dict[str, str]:
    return {row.clip: row.state.value for row in project_status(project)}


def test_fresh_project_plans_every_clip_in_dependency_order(tmp_path):
    project = chain_project(tmp_path)
    jobs = plan_render(project)
    assert [j.clip for j in jobs] == ["shot_010", "shot_020", "shot_030"]
    assert [j.upstream for j in jobs] == [None, "shot_010", "shot_020"]
    assert jobs[1].upstream_hash == jobs[0].recipe_hash


def test_unchanged_rendered_project_renders_nothing(tmp_path):
    project = rendered_chain(tmp_path)
    assert plan_render(load_project(project.path)) == []


def test_editing_the_last_clip_rerenders_exactly_that_clip(tmp_path):
    project = rendered_chain(tmp_path)
    _edit_prompt(project, "shot_030", "something else")
    assert [(j.clip, j.reason) for j in plan_render(project)] == [("shot_030", "stale")]


def test_editing_a_carried_clip_makes_its_chain_stale(tmp_path):
    project = rendered_chain(tmp_path)
    _edit_prompt(project, "shot_020", "a new cut")
    assert _states(project) == {"shot_010": "rendered", "shot_020": "stale", "shot_030": "stale"}
    assert [j.clip for j in plan_render(project)] == ["shot_020", "shot_030"]


def test_rerendering_one_clip_leaves_downstream_stale_unless_chain(tmp_path):
    project = rendered_chain(tmp_path)
    _edit_prompt(project, "shot_020", "a new cut")
    assert [j.clip for j in plan_render(project, ["shot_020"])] == ["shot_020"]
    assert [j.clip for j in plan_render(project, ["shot_020"], chain=True)] == ["shot_020", "shot_030"]

    render_project(project, plan_render(project, ["shot_020"]))
    reloaded = load_project(project.path)
    assert _states(reloaded) == {"shot_010": "rendered", "shot_020": "rendered", "shot_030": "stale"}
    assert [j.clip for j in plan_render(reloaded)] == ["shot_030"]


def test_target_gets_a_new_take_and_old_takes_stay_byte_identical(tmp_path):
    project = rendered_chain(tmp_path)
    first = takes_of(project.clip("shot_020"))[0]
    before = project.resolve(first.media).read_bytes()

    render_project(project, plan_render(project, ["shot_020"]))

    reloaded = load_project(project.path)
    clip = reloaded.clip("shot_020")
    assert [t.key for t in takes_of(clip)] == ["take_001", "take_002"]
    assert clip.active_media_reference_key == "take_002"
    assert project.resolve(first.media).read_bytes() == before
    assert _states(reloaded)["shot_030"] == "rendered"  # same recipe, same hash: downstream unaffected


def test_carried_target_without_rendered_upstream_renders_upstream_first(tmp_path):
    project = chain_project(tmp_path)
    jobs = plan_render(project, ["shot_030"])
    assert [(j.clip, j.reason) for j in jobs] == [
        ("shot_010", "needed by shot_020"),
        ("shot_020", "needed by shot_030"),
        ("shot_030", "requested"),
    ]


def test_undoing_an_edit_reuses_the_matching_take_without_rendering(tmp_path):
    project = rendered_chain(tmp_path)
    original = project.recipe(project.clip("shot_030"))
    _edit_prompt(project, "shot_030", "changed")
    render_project(project, plan_render(project))
    assert project.clip("shot_030").active_media_reference_key == "take_002"

    project.set_recipe(project.clip("shot_030"), original)
    jobs = plan_render(project)
    assert [(j.clip, j.reuse) for j in jobs] == [("shot_030", "take_001")]
    render_project(project, jobs)
    clip = load_project(project.path).clip("shot_030")
    assert clip.active_media_reference_key == "take_001"
    assert len(takes_of(clip)) == 2


def test_a_stray_take_file_on_disk_is_never_overwritten(tmp_path):
    project = rendered_chain(tmp_path)
    stray = project.render_dir("shot_010") / "take_002.mp4"  # e.g. a render killed before its save
    stray.write_bytes(b"not ours to overwrite")
    render_project(project, plan_render(project, ["shot_010"]))
    assert stray.read_bytes() == b"not ours to overwrite"
    assert [t.key for t in takes_of(project.clip("shot_010"))] == ["take_001", "take_003"]


def test_unknown_target_names_the_known_clips(tmp_path):
    project = chain_project(tmp_path)
    with pytest.raises(ProjectError, match="shot_010"):
        plan_render(project, ["shot_999"])


def test_independent_tracks_and_fresh_clips_do_not_depend_on_each_other(tmp_path):
    project = rendered_chain(tmp_path)
    add_clip(project, animatic_recipe(6, seed=9))  # a fresh clip after the chain
    save_project(project)
    jobs = plan_render(project)
    assert [(j.clip, j.upstream) for j in jobs] == [("shot_040", None)]


def test_a_take_whose_file_was_deleted_is_rendered_again(tmp_path):
    project = rendered_chain(tmp_path)
    take = takes_of(project.clip("shot_030"))[0]
    project.resolve(take.media).unlink()
    assert [r.take_missing for r in project_status(project)] == [False, False, True]
    assert [(j.clip, j.reason) for j in plan_render(project)] == [("shot_030", "take file missing")]
    render_project(project, plan_render(project))
    assert project.clip("shot_030").active_media_reference_key == "take_002"
