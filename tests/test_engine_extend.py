"""Extend: a new carried clip right after a shot (generated or imported), rendered from its context."""

from __future__ import annotations

import numpy as np
import opentimelineio as otio
import pytest

from fp_timeline.engine.extend import add_extension
from fp_timeline.engine.media import VideoWriter, probe
from fp_timeline.engine.planner import plan_render
from fp_timeline.engine.renderer import render_project
from fp_timeline.engine.status import project_status
from fp_timeline.engine.validation import validate_project
from fp_timeline.project.document import load_project, new_project, save_project
from fp_timeline.project.errors import ProjectError
from fp_timeline.project.takes import active_take
from tests.engine_helpers import rendered_chain, take_frames


def _names(project) -> list[str]:
    return [item.name for item in project.tracks()[0] if isinstance(item, otio.schema.Clip)]


def test_extend_the_last_clip_renders_only_the_new_clip(tmp_path):
    project = rendered_chain(tmp_path)
    new = add_extension(project, "shot_030", seconds=0.5, prompt="and then it stops")
    recipe = project.recipe(new)
    assert _names(project)[-1] == new.name == "shot_040"
    assert (recipe.frames, recipe.image, recipe.carries, recipe.seed) == (12, None, True, 4)
    jobs = plan_render(project, [new.name])
    assert [(j.clip, j.upstream) for j in jobs] == [("shot_040", "shot_030")]
    render_project(project, jobs)
    reloaded = load_project(project.path)
    assert validate_project(reloaded) == []
    assert {r.clip: r.state.value for r in project_status(reloaded)}["shot_040"] == "rendered"
    assert probe(reloaded.resolve(active_take(reloaded.clip("shot_040")).media)).frames == 12


def test_extend_with_continue_noise_continues_the_shot_seamlessly(tmp_path):
    one = rendered_chain(tmp_path / "one", lengths=(12,))
    new = add_extension(one, "shot_010", seconds=8 / 24, prompt="more", continue_noise=True)
    render_project(one, plan_render(one, [new.name]))
    long = rendered_chain(tmp_path / "long", lengths=(20,))
    # The extension's first frame continues the long shot at frame 12 (decoded, so approximately).
    extension = take_frames(one, new.name).astype(int)
    reference = take_frames(long, "shot_010").astype(int)
    assert np.abs(extension[0] - reference[12]).mean() < 3
    assert np.abs(extension[0] - reference[0]).mean() > np.abs(extension[0] - reference[12]).mean()


def test_extending_a_middle_clip_makes_the_next_carried_clip_stale(tmp_path):
    project = rendered_chain(tmp_path)
    new = add_extension(project, "shot_020", seconds=0.25, prompt="insert")
    assert _names(project) == ["shot_010", "shot_020", new.name, "shot_030"]
    states = {r.clip: r.state.value for r in project_status(project)}
    assert states["shot_030"] == "stale" and states[new.name] == "unrendered"


def test_extend_an_imported_video(tmp_path):
    project = new_project(tmp_path / "imported.otio", rate=24.0)
    writer = VideoWriter(tmp_path / "found.mp4", rate=24.0)
    for i in range(10):
        writer.write(np.full((48, 64, 3), (20 * i, 100, 200 - 10 * i), dtype=np.uint8))
    writer.close()
    project.tracks()[0].append(
        otio.schema.Clip(
            name="found",
            media_reference=otio.schema.ExternalReference(target_url="found.mp4"),
            source_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, 24), otio.opentime.RationalTime(8, 24)
            ),  # trimmed: the out point is frame 8
        )
    )
    save_project(project)
    new = add_extension(project, "found", seconds=0.25, prompt="it goes on", generator="animatic")
    save_project(project)
    assert validate_project(load_project(project.path)) == []
    jobs = plan_render(project, [new.name])
    assert [(j.clip, j.upstream) for j in jobs] == [(new.name, "found")]
    render_project(project, jobs)
    frames = take_frames(load_project(project.path), new.name).astype(int)
    # The animatic starts from the last frame before the out point (frame 7), not the file's last.
    assert np.abs(frames[0].mean(axis=(0, 1)) - (140, 100, 130)).max() < 6
    assert list((project.data_dir / "imported").glob("found-*.animatic-*.context.safetensors"))
    # Retrimming the video changes the identity of what the new clip continues: it becomes stale.
    project.tracks()[0][0].source_range = otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, 24), otio.opentime.RationalTime(6, 24)
    )
    assert [j.clip for j in plan_render(project)] == [new.name]


def test_extend_refuses_bad_input(tmp_path):
    project = rendered_chain(tmp_path)
    with pytest.raises(ProjectError, match="seconds must be positive"):
        add_extension(project, "shot_030", seconds=0, prompt="x")
    with pytest.raises(ProjectError, match="no clip named"):
        add_extension(project, "nope", seconds=1, prompt="x")
