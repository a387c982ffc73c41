"""The bridge generator through the engine: a clip between two rendered clips lands on their frames, goes
stale when either changes; keyframes mode (start and end image); validate names clip and field."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")

from fp_timeline.engine.bridge import add_bridge, bridging_generators  # noqa: E402
from fp_timeline.engine.planner import plan_render  # noqa: E402
from fp_timeline.engine.renderer import render_project  # noqa: E402
from fp_timeline.engine.status import project_status, stale_reasons  # noqa: E402
from fp_timeline.engine.validation import validate_project  # noqa: E402
from fp_timeline.project.document import Project, new_project  # noqa: E402
from fp_timeline.project.edits import add_clip  # noqa: E402
from fp_timeline.project.recipe import ContextMode, Recipe  # noqa: E402
from fp_timeline_plugins.framepack_f1.encoders import load_image  # noqa: E402
from tests.engine_helpers import take_frames  # noqa: E402
from tests.test_bridge_anchors import psnr  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[1] / "sample_projects" / "three_shots"
WIDTH, HEIGHT, FPS = 144, 96, 30.0
QUICK = {"latent_window_size": 3, "steps": 4}  # 13 frames, one section
TOY = {"preset": "toy", "threads": 1}
# The toy VAE round-trips an image at about 20 dB (test_bridge_anchors); takes are H.264 on top.
MIN_LANDING_PSNR = 17.0


def _shot(image: str, seed: int, frames: int = 12) -> Recipe:
    return Recipe(f"shot {seed}", seed, frames, WIDTH, HEIGHT, FPS, image=image, generator="animatic")


def _project(tmp_path: Path) -> Project:
    for name in ("chelsea.png", "coffee.png"):
        (tmp_path / name).write_bytes((SAMPLES / name).read_bytes())
    project = new_project(tmp_path / "p.otio", rate=FPS)
    add_clip(project, _shot("chelsea.png", 1), name="shot_010")
    add_clip(project, _shot("coffee.png", 2), name="shot_020")
    return project


def _bridged(tmp_path: Path) -> Project:
    project = _project(tmp_path)
    clip = add_bridge(project, "shot_010", "shot_020")
    recipe = project.recipe(clip)
    project.set_recipe(clip, recipe.replace(params=QUICK, frames=13))
    return project


def test_the_bridge_generator_is_found_by_what_it_declares():
    assert bridging_generators() == ["framepack_bridge"]


def test_a_bridge_renders_after_its_neighbours_and_lands_on_their_frames(tmp_path):
    project = _bridged(tmp_path)
    bridge = project.clip("shot_015")
    assert [c.name for c in project.generated_clips()] == ["shot_010", "shot_015", "shot_020"]
    assert project.recipe(bridge).context is ContextMode.CARRY and project.recipe(bridge).image is None
    assert validate_project(project) == []
    jobs = plan_render(project, options=TOY)
    assert [j.clip for j in jobs] == ["shot_010", "shot_020", "shot_015"]
    assert jobs[2].upstream is None and jobs[2].frames_from == ("shot_010", "shot_020")
    render_project(project, jobs, options=TOY)
    frames = take_frames(project, "shot_015")
    before, after = take_frames(project, "shot_010")[-1], take_frames(project, "shot_020")[0]
    assert len(frames) == 13
    assert psnr(frames[0], before) >= MIN_LANDING_PSNR
    assert psnr(frames[-1], after) >= MIN_LANDING_PSNR
    assert psnr(frames[-1], before) < MIN_LANDING_PSNR  # the two shots differ: it really went somewhere
    assert plan_render(project, options=TOY) == []


def test_a_bridge_goes_stale_when_a_neighbour_changes(tmp_path):
    project = _bridged(tmp_path)
    render_project(project, plan_render(project, options=TOY), options=TOY)
    after = project.clip("shot_020")
    project.set_recipe(after, project.recipe(after).replace(seed=9))
    states = {row.clip: row.state.value for row in project_status(project, TOY)}
    assert states == {"shot_010": "rendered", "shot_015": "stale", "shot_020": "stale"}
    reasons = " ".join(stale_reasons(project, TOY))
    assert "shot_015: a clip it starts or ends on (before or after it) changed since take_001" in reasons
    assert [j.clip for j in plan_render(project, options=TOY)] == ["shot_020", "shot_015"]


def test_keyframes_go_from_the_start_image_to_the_end_image_without_neighbours(tmp_path):
    project = _project(tmp_path)
    recipe = Recipe("from cat to coffee", 3, 13, WIDTH, HEIGHT, FPS, image="chelsea.png")
    recipe = recipe.replace(generator="framepack_bridge", params={**QUICK, "end_image": "coffee.png"})
    add_clip(project, recipe, name="keys")
    assert validate_project(project) == []
    jobs = plan_render(project, targets=["keys"], options=TOY)
    assert [(j.clip, j.frames_from) for j in jobs] == [("keys", ())]
    render_project(project, jobs, options=TOY)
    frames = take_frames(project, "keys")
    start, end = (load_image(tmp_path / name, WIDTH, HEIGHT) for name in ("chelsea.png", "coffee.png"))
    assert psnr(frames[0], start) >= MIN_LANDING_PSNR and psnr(frames[-1], end) >= MIN_LANDING_PSNR


def test_validate_names_the_clip_and_field_of_a_missing_end_image_or_neighbour(tmp_path):
    project = _project(tmp_path)
    keys = Recipe("k", 3, 13, WIDTH, HEIGHT, FPS, image="chelsea.png", generator="framepack_bridge")
    add_clip(project, keys.replace(params={**QUICK, "end_image": "missing.png"}), name="keys")
    bridge = keys.replace(image=None, context=ContextMode.CARRY, params=QUICK)
    add_clip(project, bridge, name="last")  # a bridge at the end of the track: no clip after it
    found = {(p.clip, p.field, p.message) for p in validate_project(project)}
    missing = str(tmp_path / "missing.png")
    assert ("keys", "params.end_image", f"image file not found: {missing}") in found
    assert ("last", None, "needs a clip right after it (its first frame)") in found


def test_validate_refuses_wrong_lengths_and_a_bridge_with_both_kinds_of_start(tmp_path):
    project = _project(tmp_path)
    bridge = Recipe("b", 3, 14, WIDTH, HEIGHT, FPS, image="chelsea.png", generator="framepack_bridge", params=QUICK)
    add_clip(project, bridge.replace(context=ContextMode.CARRY), name="shot_015", after="shot_010")
    found = {(p.clip, p.field): p.message for p in validate_project(project)}
    assert "nearest is 13" in found[("shot_015", "frames")]
    assert "not both" in found[("shot_015", "image")]


def test_a_bridge_needs_neighbours_on_one_track_and_a_fresh_clip_after_it(tmp_path):
    project = _project(tmp_path)
    from fp_timeline.project.errors import ProjectError

    with pytest.raises(ProjectError, match="not neighbours"):
        add_bridge(project, "shot_020", "shot_010")
    after = project.clip("shot_020")
    project.set_recipe(after, project.recipe(after).replace(context=ContextMode.CARRY, image=None))
    with pytest.raises(ProjectError, match="carries on from 'shot_010'"):
        add_bridge(project, "shot_010", "shot_020")
    assert np.array_equal([c.name for c in project.generated_clips()], ["shot_010", "shot_020"])


def test_a_bridge_fills_the_gap_between_two_clips(tmp_path):
    from fp_timeline.project.track_edits import gap

    project = _project(tmp_path)
    project.tracks()[0].insert(1, gap(36, FPS))  # 1.2 s between the shots
    clip = add_bridge(project, "shot_010", "shot_020")
    items = list(project.tracks()[0])
    assert [item.name for item in items] == ["shot_010", "shot_015", "shot_020"]  # the gap is gone
    assert project.recipe(clip).frames == 37  # the gap's length, snapped to 1 + whole sections
    assert validate_project(project) == []
