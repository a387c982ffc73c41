"""Timeline edits as replacements (no Qt): each applies, and reverting restores the exact project."""

from __future__ import annotations

import opentimelineio as otio
import pytest

from fp_timeline.project import timeline_edits as edits
from fp_timeline.project.document import load_project
from fp_timeline.project.recipe import ContextMode, NoiseMode
from tests.gui_helpers import fresh_clips_project, sample_copy


def _json(project) -> str:
    return otio.adapters.write_to_string(project.timeline, adapter_name="otio_json")


def _names(project) -> list[str]:
    return [item.name for item in project.tracks()[0]]


def _roundtrip(project, replacement):
    before = _json(project)
    removed = edits.apply(project, replacement)
    after = _json(project)
    edits.revert(project, replacement, removed)
    assert _json(project) == before
    edits.apply(
        project,
        edits.Replacement(replacement.track, replacement.start, replacement.count, replacement.items, replacement.text),
    )
    assert _json(project) == after


def test_set_recipe_changes_only_the_copy_then_applies_and_reverts(tmp_path):
    project = load_project(sample_copy(tmp_path))
    clip = project.clip("shot_020")
    recipe = project.recipe(clip).replace(prompt="the cat sneezes")
    replacement = edits.set_recipe(project, "shot_020", recipe)
    assert project.recipe(project.clip("shot_020")).prompt == "the cat blinks slowly"  # not mutated
    _roundtrip(project, replacement)
    assert project.recipe(project.clip("shot_020")).prompt == "the cat sneezes"


def test_trim_changes_the_source_range_only_never_the_generation(tmp_path):
    project = load_project(fresh_clips_project(tmp_path, frames=30))
    edits.apply(project, edits.trim(project, "shot_010", 0, 20))
    clip = project.clip("shot_010")
    assert project.recipe(clip).frames == 30 and clip.source_range.duration.value == 20
    edits.apply(project, edits.trim(project, "shot_010", 0, 45))  # no longer than what was generated
    assert project.clip("shot_010").source_range.duration.value == 30
    edits.apply(project, edits.trim(project, "shot_010", 5, 20))
    clip = project.clip("shot_010")
    assert project.recipe(clip).frames == 30
    assert (clip.source_range.start_time.value, clip.source_range.duration.value) == (5, 15)


def test_split_makes_a_carried_continuation(tmp_path):
    project = load_project(fresh_clips_project(tmp_path, frames=30))
    _roundtrip(project, edits.split(project, "shot_010", 12))
    assert _names(project) == ["shot_010", "shot_015", "shot_020", "shot_030"]
    first, second = project.recipe(project.clip("shot_010")), project.recipe(project.clip("shot_015"))
    assert (first.frames, second.frames) == (12, 18)
    assert second.context is ContextMode.CARRY and second.noise is NoiseMode.CONTINUE and second.image is None


def test_split_outside_the_clip_is_refused(tmp_path):
    project = load_project(fresh_clips_project(tmp_path))
    with pytest.raises(edits.EditRefused):
        edits.split(project, "shot_010", 0)


def test_delete_leaves_a_gap_ripple_closes_it(tmp_path):
    project = load_project(fresh_clips_project(tmp_path))
    _roundtrip(project, edits.delete(project, "shot_020", ripple=False))
    assert isinstance(project.tracks()[0][1], otio.schema.Gap)
    project = load_project(fresh_clips_project(tmp_path / "b"))
    edits.apply(project, edits.delete(project, "shot_020", ripple=True))
    assert _names(project) == ["shot_010", "shot_030"]


def test_deleting_the_first_clip_makes_the_carried_next_one_fresh(tmp_path):
    project = load_project(sample_copy(tmp_path))
    edits.apply(project, edits.delete(project, "shot_010", ripple=True))
    recipe = project.recipe(project.clip("shot_020"))
    assert recipe.context is ContextMode.FRESH and recipe.image == "chelsea.png"


def test_move_reorders(tmp_path):
    project = load_project(fresh_clips_project(tmp_path))
    (step,) = edits.move(project, "shot_030", 0)
    _roundtrip(project, step)
    assert _names(project) == ["shot_030", "shot_010", "shot_020"]
    (step,) = edits.move(project, "shot_030", 3)
    edits.apply(project, step)
    assert _names(project) == ["shot_010", "shot_020", "shot_030"]
    assert edits.move(project, "shot_020", 1) == []  # already there


def test_name_after_finds_a_free_name_between(tmp_path):
    project = load_project(fresh_clips_project(tmp_path))
    assert edits.name_after(project, "shot_010") == "shot_015"
    assert edits.name_after(project, "custom") == "custom_2"


def test_memo_project_states_match_a_fresh_parse_after_edits(tmp_path):
    from fp_timeline.engine.status import project_status
    from fp_timeline.project.document import Project
    from fp_timeline.ui.memo_project import MemoProject

    project = MemoProject.wrap(load_project(sample_copy(tmp_path)))
    project_status(project)  # fill the memo
    recipe = project.recipe(project.clip("shot_010")).replace(prompt="another cat")
    edits.apply(project, edits.set_recipe(project, "shot_010", recipe))
    edits.apply(project, edits.split(project, "shot_030", 10))
    plain = Project(path=project.path, timeline=project.timeline)
    assert project_status(project) == project_status(plain)
    assert project.recipe(project.clip("shot_010")).prompt == "another cat"


def test_moving_a_clip_drops_the_transitions_that_touched_it(tmp_path):
    project = load_project(sample_copy(tmp_path))
    (step,) = edits.move(project, "shot_040", 1)
    _roundtrip(project, step)
    assert _names(project) == ["shot_010", "shot_040", "shot_020", "shot_030"]
    project = load_project(sample_copy(tmp_path / "b"))
    project.timeline.tracks.append(otio.schema.Track(name="V2"))
    for step in edits.move(project, "shot_040", 0, to_track=1):
        edits.apply(project, step)
    assert _names(project) == ["shot_010", "shot_020", "shot_030"]
    assert [c.name for c in project.tracks()[1]] == ["shot_040"]
