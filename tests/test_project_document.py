"""Project files: atomic saves, relative paths, moved folders, projects written by plain OTIO code."""

import shutil
from pathlib import Path

import opentimelineio as otio
import pytest

from fp_timeline.project.document import load_project, new_project, save_project
from fp_timeline.project.edits import add_clip, next_clip_name
from fp_timeline.project.errors import ProjectError
from fp_timeline.project.recipe import METADATA_KEY, Recipe
from fp_timeline.project.takes import GENERATOR_KEY, Take, active_take, add_take, takes_of, use_take
from tests.project_helpers import chain_project, write_image


def test_new_clip_is_an_unrendered_generator_reference(tmp_path):
    project = chain_project(tmp_path, clips=1)
    clip = next(project.generated_clips())
    ref = clip.media_reference
    assert clip.active_media_reference_key == GENERATOR_KEY
    assert isinstance(ref, otio.schema.GeneratorReference)
    assert ref.generator_kind == "fp_timeline.animatic"
    assert ref.parameters["prompt"] == "motion 0"
    assert list(clip.media_references()) == [GENERATOR_KEY]
    assert clip.source_range.duration.value == 12


def test_save_and_load_round_trip(tmp_path):
    project = chain_project(tmp_path)
    loaded = load_project(project.path)
    assert [c.name for c in loaded.generated_clips()] == ["shot_010", "shot_020", "shot_030"]
    assert [loaded.recipe(c) for c in loaded.generated_clips()] == [
        project.recipe(c) for c in project.generated_clips()
    ]


def test_save_is_atomic_when_serialising_fails(tmp_path, monkeypatch):
    project = chain_project(tmp_path)
    before = project.path.read_bytes()

    def broken_write(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("fp_timeline.project.atomic.os.replace", broken_write)
    next(project.generated_clips()).name = "renamed"
    with pytest.raises(ProjectError, match="cannot save: disk full"):  # the one error type, naming the file
        save_project(project)
    assert project.path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_paths_are_stored_relative_and_survive_a_moved_folder(tmp_path):
    project = chain_project(tmp_path / "a")
    stored = next(project.generated_clips()).metadata[METADATA_KEY]["image"]
    assert stored == "images/start.png"
    shutil.move(tmp_path / "a", tmp_path / "b")
    moved = load_project(tmp_path / "b" / "chain.otio")
    clip = next(moved.generated_clips())
    assert moved.resolve(moved.recipe(clip).image) == (tmp_path / "b" / "images" / "start.png").resolve()


def test_missing_image_names_file_clip_and_field(tmp_path):
    project = chain_project(tmp_path)
    (tmp_path / "images" / "start.png").unlink()
    with pytest.raises(ProjectError) as err:
        load_project(project.path)
    text = str(err.value)
    assert str(project.path) in text and "shot_010" in text and "'image'" in text


def test_bad_recipe_in_file_names_the_file(tmp_path):
    project = chain_project(tmp_path)
    next(project.generated_clips()).metadata[METADATA_KEY]["seed"] = -3
    save_project(project)
    with pytest.raises(ProjectError) as err:
        load_project(project.path)
    assert err.value.problems[0].file == project.path and err.value.problems[0].field == "seed"


def test_not_an_otio_file_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.otio"
    path.write_text("{ not json")
    with pytest.raises(ProjectError, match="not a readable OTIO file"):
        load_project(path)


def test_first_clip_cannot_carry(tmp_path):
    project = chain_project(tmp_path)
    track = project.tracks()[0]
    del track[0]
    save_project(project)
    with pytest.raises(ProjectError, match="carries context but is the first clip"):
        load_project(project.path)


def test_project_written_with_plain_otio_loads(tmp_path):
    """A project made by plain opentimelineio code, with our metadata, is a valid project."""
    write_image(tmp_path / "cat.png")
    timeline = otio.schema.Timeline(name="plain")
    track = otio.schema.Track(name="V1")
    timeline.tracks.append(track)
    clip = otio.schema.Clip(
        name="cat",
        source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, 30), otio.opentime.RationalTime(37, 30)),
    )
    clip.metadata["fp_timeline"] = {
        "schema": 1,
        "prompt": "the cat yawns",
        "seed": 5,
        "frames": 37,
        "image": "cat.png",
        "generator": "animatic",
    }
    track.append(clip)
    otio.adapters.write_to_file(timeline, str(tmp_path / "plain.otio"))
    project = load_project(tmp_path / "plain.otio")
    recipe = project.recipe(project.clip("cat"))
    assert recipe.prompt == "the cat yawns" and recipe.width == 640 and recipe.params == {}


def test_takes_are_appended_never_overwritten(tmp_path):
    project = chain_project(tmp_path, clips=1)
    clip = next(project.generated_clips())
    for key in ("take_001", "take_002"):
        add_take(clip, Take(key, f"renders/{clip.name}/{key}.mp4", "abc", 12, 30.0))
    assert [t.key for t in takes_of(clip)] == ["take_001", "take_002"]
    assert active_take(clip).key == "take_002"
    with pytest.raises(ValueError, match="never overwritten"):
        add_take(clip, Take("take_001", "x.mp4", "def", 12, 30.0))
    use_take(clip, "take_001")
    save_project(project)
    reloaded = next(load_project(project.path).generated_clips())
    assert active_take(reloaded).key == "take_001"
    assert takes_of(reloaded)[1].media == "renders/shot_010/take_002.mp4"
    with pytest.raises(KeyError, match="take_009"):
        use_take(reloaded, "take_009")


def test_insert_after_and_names(tmp_path):
    project = chain_project(tmp_path)
    assert next_clip_name(project) == "shot_040"
    add_clip(project, Recipe("spin", 1, 12, image="images/start.png", generator="animatic"), after="shot_010")
    assert [c.name for c in project.generated_clips()] == ["shot_010", "shot_040", "shot_020", "shot_030"]
    with pytest.raises(ProjectError, match="exists already"):
        add_clip(project, Recipe("spin", 1, 12, image="images/start.png"), name="shot_010")


def test_save_as_writes_elsewhere(tmp_path):
    project = new_project(tmp_path / "p.otio")
    target = save_project(project, tmp_path / "copy" / "q.otio")
    assert target.exists() and not project.path.exists()
    assert isinstance(load_project(Path(target)).timeline, otio.schema.Timeline)


def test_save_as_into_another_folder_keeps_images_and_takes_found(tmp_path):
    from fp_timeline.project.document import save_project_as

    project = chain_project(tmp_path / "a")
    clip = next(project.generated_clips())
    add_take(clip, Take("take_001", "chain.fp/renders/shot_010/take_001.mp4", "h", 12, 30.0, "chain.fp/c.safetensors"))
    moved = save_project_as(project, tmp_path / "elsewhere" / "deep" / "b.otio")
    reloaded = load_project(moved.path)
    first = next(reloaded.generated_clips())
    assert reloaded.resolve(reloaded.recipe(first).image) == (tmp_path / "a" / "images" / "start.png").resolve()
    take = active_take(first)
    assert reloaded.resolve(take.media) == (tmp_path / "a" / "chain.fp/renders/shot_010/take_001.mp4").resolve()
    assert reloaded.resolve(take.context) == (tmp_path / "a" / "chain.fp/c.safetensors").resolve()
    assert next(project.generated_clips()).metadata[METADATA_KEY]["image"] == "images/start.png"


def test_a_project_error_from_plain_text_is_one_problem():
    error = ProjectError("an untitled project needs a file name: use save as")
    assert [p.message for p in error.problems] == ["an untitled project needs a file name: use save as"]
    assert str(error) == "an untitled project needs a file name: use save as"
