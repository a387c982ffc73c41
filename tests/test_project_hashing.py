"""Recipe hashes chain through carried clips, so staleness propagates by construction."""

from fp_timeline.project.hashing import ClipState, clip_state, recipe_hashes
from fp_timeline.project.takes import Take, add_take
from tests.project_helpers import chain_project, write_image


def version(_generator: str) -> str:
    return "1"


def test_hashes_are_stable_and_distinct(tmp_path):
    project = chain_project(tmp_path)
    first = recipe_hashes(project, version)
    assert first == recipe_hashes(project, version)
    assert len(set(first.values())) == 3


def test_editing_one_clip_changes_it_and_everything_carried_after_it(tmp_path):
    project = chain_project(tmp_path)
    before = recipe_hashes(project, version)
    clip = project.clip("shot_020")
    project.set_recipe(clip, project.recipe(clip).replace(prompt="a new motion"))
    after = recipe_hashes(project, version)
    assert after["shot_010"] == before["shot_010"]
    assert after["shot_020"] != before["shot_020"]
    assert after["shot_030"] != before["shot_030"]


def test_a_fresh_clip_breaks_the_chain(tmp_path):
    project = chain_project(tmp_path)
    clip = project.clip("shot_030")
    project.set_recipe(clip, project.recipe(clip).replace(context="fresh", image="images/start.png"))
    before = recipe_hashes(project, version)
    first = project.clip("shot_010")
    project.set_recipe(first, project.recipe(first).replace(seed=999))
    assert recipe_hashes(project, version)["shot_030"] == before["shot_030"]


def test_image_content_and_generator_version_enter_the_hash(tmp_path):
    project = chain_project(tmp_path)
    before = recipe_hashes(project, version)
    assert recipe_hashes(project, lambda g: "2")["shot_010"] != before["shot_010"]
    write_image(tmp_path / "images" / "start.png", seed=1)
    assert recipe_hashes(project, version)["shot_010"] != before["shot_010"]


def test_clip_state(tmp_path):
    project = chain_project(tmp_path, clips=1)
    clip = project.clip("shot_010")
    current = recipe_hashes(project, version)["shot_010"]
    assert clip_state(clip, current) is ClipState.UNRENDERED
    add_take(clip, Take("take_001", "renders/shot_010/take_001.mp4", current, 12, 30.0))
    assert clip_state(clip, current) is ClipState.RENDERED
    assert clip_state(clip, "another") is ClipState.STALE


def test_saving_into_another_folder_keeps_every_hash(tmp_path):
    from fp_timeline.project.document import load_project, save_project_as

    project = chain_project(tmp_path / "a")
    before = recipe_hashes(project, version)
    moved = save_project_as(project, tmp_path / "b" / "deeper" / "chain.otio")
    assert moved.recipe(moved.clip("shot_010")).image != project.recipe(project.clip("shot_010")).image
    assert recipe_hashes(load_project(moved.path), version) == before


def test_a_missing_start_image_is_not_the_same_as_no_start_image(tmp_path):
    from fp_timeline.project.hashing import recipe_hash
    from fp_timeline.project.recipe import Recipe

    with_image = Recipe("x", 1, 12, image="gone.png", context="carry")
    without = with_image.replace(image=None)
    assert recipe_hash(with_image, None, "1", "up") != recipe_hash(without, None, "1", "up")
