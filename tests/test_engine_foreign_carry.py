"""Carrying from a clip another generator made: continued from its frames, or refused by validate."""

from __future__ import annotations

import pytest

from fp_timeline.engine.planner import plan_render
from fp_timeline.engine.renderer import render_project
from fp_timeline.engine.validation import validate_project
from fp_timeline.project.document import load_project, save_project
from fp_timeline.project.takes import active_take
from tests.engine_helpers import SolidGenerator, use_fake_generator
from tests.project_helpers import chain_project

OPTIONS = {"preset": "tiny", "device": "cpu"}


def animatic_then(tmp_path, generator: str, frames: int, **params):
    project = chain_project(tmp_path, clips=2, generator="animatic", frames=12)
    clip = project.clip("shot_020")
    project.set_recipe(clip, project.recipe(clip).replace(generator=generator, frames=frames, params=params))
    save_project(project)
    return load_project(project.path)


def test_a_generator_that_cannot_continue_foreign_video_is_refused_by_validate(tmp_path, monkeypatch):
    use_fake_generator(monkeypatch, SolidGenerator())  # no context_from_frames
    project = animatic_then(tmp_path, "solid", 12)
    problems = validate_project(project)
    assert [(p.clip, p.field) for p in problems] == [("shot_020", "context")]
    assert "made by animatic" in problems[0].message and "solid can only continue its own clips" in problems[0].message


def test_framepack_continues_an_animatic_clip_from_its_last_frames(tmp_path):
    pytest.importorskip("torch")
    project = animatic_then(tmp_path, "framepack_f1", 36, steps=2)
    assert validate_project(project) == []
    jobs = plan_render(project, options=OPTIONS)
    assert [j.clip for j in jobs] == ["shot_010", "shot_020"]
    render_project(project, jobs, OPTIONS)
    reloaded = load_project(project.path)
    take = active_take(reloaded.clip("shot_020"))
    assert take is not None and take.frames == 36 and take.model == "the tiny preset (float32)"
    encoded = list((reloaded.data_dir / "imported").glob("shot_010-*.framepack_f1-*.context.safetensors"))
    assert len(encoded) == 1  # the animatic take's last frames, encoded once by F1's VAE
    assert plan_render(reloaded, options=OPTIONS) == []
