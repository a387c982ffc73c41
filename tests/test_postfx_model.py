"""The effect model: OTIO Effects with settings in metadata, parsed from ``kind:value`` specs, checked."""

from __future__ import annotations

import opentimelineio as otio
import pytest

from fp_timeline.project.document import load_project, new_project, save_project
from fp_timeline.project.edits import add_clip
from fp_timeline.project.effects import (
    PostEffect,
    add_effect,
    effect_problems,
    effect_stack,
    parse_effect,
    remove_effect,
)
from fp_timeline.project.errors import ProjectError
from tests.engine_helpers import animatic_recipe, write_image


def test_specs_fill_every_setting():
    assert parse_effect("upscale:2").settings == {"factor": 2.0, "model": "lanczos", "tile": 0}
    assert parse_effect("interpolate:60").settings["fps"] == 60.0
    assert parse_effect("interpolate:x3").settings == {"fps": 0.0, "factor": 3, "method": "mci"}
    assert parse_effect("loop:pingpong").settings["mode"] == "pingpong"
    assert parse_effect("upscale:4,model=weights/x4.pth").settings["model"] == "weights/x4.pth"


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ("blur:3", "effects"),
        ("upscale:0.5", "upscale.factor"),
        ("upscale:two", "upscale.factor"),
        ("interpolate:x1", "interpolate.factor"),
        ("loop:spin", "loop.mode"),
        ("sharpen:1,size=4", "sharpen.size"),
        ("denoise:3,colour=1", "denoise.colour"),
        ("colormatch", "colormatch.reference"),
    ],
)
def test_bad_specs_name_the_field(spec, field):
    with pytest.raises(ProjectError) as caught:
        parse_effect(spec, clip="shot_010")
    assert any(p.field == field and p.clip == "shot_010" for p in caught.value.problems), caught.value


def test_effects_round_trip_through_the_otio_file_in_stack_order(tmp_path):
    write_image(tmp_path / "start.png")
    project = new_project(tmp_path / "p.otio", rate=24)
    clip = add_clip(project, animatic_recipe(10))
    add_effect(clip, parse_effect("upscale:2"))
    add_effect(clip, parse_effect("interpolate:x2"))
    add_effect(project.tracks()[0], parse_effect("sharpen:1"))
    add_effect(project.timeline.tracks, parse_effect("denoise:4"))
    clip.effects.append(otio.schema.Effect(name="other", effect_name="SomeNLE.Glow"))  # not ours: kept, ignored
    save_project(project)
    loaded = load_project(project.path)
    stack = effect_stack(loaded.timeline, loaded.clip(clip.name))
    assert [e.kind for e in stack] == ["upscale", "interpolate", "sharpen", "denoise"]
    assert stack[0] == PostEffect("upscale", {"factor": 2})
    assert len(loaded.clip(clip.name).effects) == 3
    assert remove_effect(loaded.clip(clip.name), "1").kind == "upscale"
    assert [e.kind for e in effect_stack(loaded.timeline, loaded.clip(clip.name))][0] == "interpolate"
    with pytest.raises(ProjectError, match="no effect 'loop'"):
        remove_effect(loaded.clip(clip.name), "loop")


def test_a_hand_edited_bad_setting_is_reported_not_raised_on_load(tmp_path):
    project = new_project(tmp_path / "p.otio", rate=24)
    clip = add_clip(project, animatic_recipe(10))
    add_effect(clip, parse_effect("upscale:2"))
    clip.effects[0].metadata["fp_timeline"]["settings"]["factor"] = 99
    problems = effect_problems(project.timeline)
    assert [(p.clip, p.field) for p in problems] == [(clip.name, "upscale.factor")]


def test_save_as_elsewhere_keeps_the_upscaler_weights_found(tmp_path):
    from fp_timeline.project.document import save_project_as

    write_image(tmp_path / "start.png")
    project = new_project(tmp_path / "p.otio", rate=24)
    clip = add_clip(project, animatic_recipe(10))
    add_effect(clip, parse_effect("upscale:4,model=weights/x4.pth"))
    add_effect(project.tracks()[0], parse_effect("upscale:2"))  # lanczos: no path to move
    moved = save_project_as(project, tmp_path / "elsewhere" / "p.otio")
    settings = effect_stack(moved.timeline, moved.clip(clip.name))[0].settings
    assert settings["model"] == "../weights/x4.pth"
    assert moved.resolve(settings["model"]) == (tmp_path / "weights" / "x4.pth").resolve()
    assert effect_stack(moved.timeline, moved.clip(clip.name))[1].settings["model"] == "lanczos"
