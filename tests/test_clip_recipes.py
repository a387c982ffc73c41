"""One builder of new clips' recipes (``engine.clip_recipes.new_clip_recipe``) behind its three former
twins: ``fp-timeline add``, an image dropped on the window's timeline (``ui.clip_defaults``) and extend
(``engine.extend``).  Each caller's case, and the two places where a twin was wrong."""

from __future__ import annotations

import os

import numpy as np
import opentimelineio as otio
import pytest
from typer.testing import CliRunner

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from fp_timeline.cli import app  # noqa: E402
from fp_timeline.engine.clip_recipes import new_clip_recipe  # noqa: E402
from fp_timeline.engine.extend import add_extension  # noqa: E402
from fp_timeline.engine.media import VideoWriter  # noqa: E402
from fp_timeline.engine.registry import load_generator  # noqa: E402
from fp_timeline.project.document import load_project, new_project, save_project  # noqa: E402
from fp_timeline.project.errors import ProjectError  # noqa: E402
from fp_timeline.project.recipe import ContextMode, NoiseMode  # noqa: E402
from fp_timeline.ui.clip_defaults import image_clip_recipe  # noqa: E402
from tests.project_helpers import chain_project, write_image  # noqa: E402


def test_explicit_choices_then_the_generator_then_the_neighbour_then_defaults(tmp_path):
    project = new_project(tmp_path / "p.otio", rate=24.0)
    image = write_image(tmp_path / "wide.png", size=(160, 90))
    bare = new_clip_recipe(project, prompt="a", seconds=1, generator="animatic", image=image, seed=7)
    assert (bare.width, bare.height, bare.fps, bare.seed, bare.params) == (640, 640, 24.0, 7, {})
    assert bare.image == "wide.png" and bare.context is ContextMode.FRESH and bare.noise is NoiseMode.OWN
    like = bare.replace(width=320, height=192, fps=12.0, params={"x": 1})
    near = new_clip_recipe(project, prompt="a", seconds=1, like=like, image=image)
    assert (near.generator, near.width, near.height, near.fps, near.params) == ("animatic", 320, 192, 12.0, {"x": 1})
    assert near.frames == 12  # one second at the neighbour's rate (the animatic snaps nothing)
    sized = new_clip_recipe(project, prompt="a", seconds=1, like=like, image=image, size=(64, 48), params={})
    assert (sized.width, sized.height, sized.params) == (64, 48, {})
    f1 = new_clip_recipe(project, prompt="a", seconds=1, generator="framepack_f1", like=like, image=image)
    assert (f1.width, f1.height) != (320, 192) and f1.fps == load_generator("framepack_f1").native_fps
    assert f1.params == {}  # another generator's settings are not copied
    carried = new_clip_recipe(project, prompt="a", seconds=1, generator="framepack_f1", like=like, carry=True)
    assert (carried.width, carried.height, carried.context) == (320, 192, ContextMode.CARRY)
    with pytest.raises(ProjectError, match="seed must be an integer") as err:
        new_clip_recipe(project, prompt="a", seconds=1, generator="animatic", image=image, seed=-1, clip="c")
    assert err.value.problems[0].clip == "c"


def test_frames_are_snapped_with_the_recipes_own_section_length(tmp_path):
    """The dropped-image twin snapped with the default F1 window while copying the neighbour's own one."""
    project = chain_project(tmp_path, clips=1, generator="framepack_f1", frames=37)
    clip = project.clip("shot_010")
    project.set_recipe(clip, project.recipe(clip).replace(params={"latent_window_size": 5}))
    dropped = image_clip_recipe(project, write_image(tmp_path / "more.png"), near="shot_010")
    f1 = load_generator("framepack_f1")
    assert dropped.params == {"latent_window_size": 5}
    assert dropped.frames == f1.snap_frames(dropped.frames, carried=False, recipe=dropped)
    assert dropped.frames != f1.snap_frames(dropped.frames, carried=False)  # the default window disagrees


def test_a_generator_with_a_native_rate_gets_it_on_any_timeline(tmp_path):
    """The dropped-image and extend-an-imported-video twins used the timeline rate, which F1 refuses."""
    project = new_project(tmp_path / "p.otio", rate=24.0)
    dropped = image_clip_recipe(project, write_image(tmp_path / "a.png"))
    assert dropped.generator == "framepack_f1" and dropped.fps == 30.0
    assert load_generator("framepack_f1").validate(dropped) == []
    writer = VideoWriter(tmp_path / "found.mp4", rate=24.0)
    for _ in range(4):
        writer.write(np.zeros((48, 64, 3), dtype=np.uint8))
    writer.close()
    found = otio.schema.Clip(name="found", media_reference=otio.schema.ExternalReference(target_url="found.mp4"))
    found.source_range = otio.opentime.TimeRange(otio.opentime.RationalTime(0, 24), otio.opentime.RationalTime(4, 24))
    project.tracks()[0].append(found)
    save_project(project)
    new = add_extension(project, "found", seconds=1, prompt="on", generator="framepack_f1")
    assert project.recipe(new).fps == 30.0 and (project.recipe(new).width, project.recipe(new).height) == (64, 48)


def test_extend_keeps_the_shot_and_cli_add_takes_the_previous_clips_size(tmp_path):
    project = chain_project(tmp_path, clips=1, generator="animatic")
    base = project.recipe(project.clip("shot_010"))
    made = project.recipe(add_extension(project, "shot_010", seconds=0.5, prompt="on", continue_noise=True))
    assert (made.width, made.height, made.fps, made.generator) == (base.width, base.height, base.fps, "animatic")
    assert made.seed == base.seed + 1 and made.image is None and made.noise is NoiseMode.CONTINUE
    save_project(project)
    result = CliRunner().invoke(app, ["add", str(project.path), "-p", "more", "--carry", "--generator", "animatic"])
    assert result.exit_code == 0, result.output
    loaded = load_project(project.path)
    added = loaded.recipe(list(loaded.generated_clips())[-1])
    assert (added.width, added.height, added.context) == (base.width, base.height, ContextMode.CARRY)
    assert f"{added.frames} frames" in result.output
