"""Derived media: cached by (take, settings), rebuilt only for what changed, used by conform, export and the CLI."""

from __future__ import annotations

import shutil

import opentimelineio as otio
import pytest
from typer.testing import CliRunner

from fp_timeline.cli import app
from fp_timeline.engine.conform import conform_timeline
from fp_timeline.engine.generator import CancelToken, Progress, RenderCancelled
from fp_timeline.engine.media import probe
from fp_timeline.engine.postfx.jobs import derived_dir, plan_postfx, postfx_job, processed_media, run_postfx
from fp_timeline.project.document import load_project, save_project
from fp_timeline.project.effects import parse_effect
from fp_timeline.project.takes import active_take
from fp_timeline_otio.export import export_project
from tests.postfx_helpers import build_all, rendered, with_effects


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return rendered(tmp_path_factory.mktemp("pipeline"), (20, 12))


@pytest.fixture
def project(base, tmp_path):
    shutil.copytree(base.folder, tmp_path, dirs_exist_ok=True)
    return load_project(tmp_path / base.path.name)


def _files(project, clip):
    folder = derived_dir(project, clip)
    return {p.name: p.stat().st_mtime_ns for p in folder.glob("*.mp4")} if folder.is_dir() else {}


def test_changing_an_effect_rebuilds_only_that_stage_of_that_clip(project):
    with_effects(project, "shot_010", "upscale:2", "sharpen:1")
    with_effects(project, "shot_020", "upscale:2")
    assert [j.clip for j in plan_postfx(project)] == ["shot_010", "shot_020"]
    build_all(project)
    before_1, before_2 = _files(project, "shot_010"), _files(project, "shot_020")
    assert len(before_1) == 2 and len(before_2) == 1
    assert plan_postfx(load_project(project.path)) == []  # reopened: the cache is found, nothing to do

    project.clip("shot_010").effects[1].metadata["fp_timeline"]["settings"]["amount"] = 2.0
    save_project(project)
    jobs = plan_postfx(project)
    assert [j.clip for j in jobs] == ["shot_010"]
    assert [s.done for s in jobs[0].stages] == [True, False]  # the upscale stage is reused
    build_all(project)
    after_1 = _files(project, "shot_010")
    assert _files(project, "shot_020") == before_2
    assert len(after_1) == 3 and all(after_1[name] == t for name, t in before_1.items())


def test_a_new_take_is_processed_anew(project):
    with_effects(project, "shot_020", "upscale:2")
    build_all(project)
    first = processed_media(project, project.clip("shot_020"))
    from fp_timeline.engine.planner import plan_render
    from fp_timeline.engine.renderer import render_project

    render_project(project, plan_render(project, targets=["shot_020"]))  # take_002 of the same recipe
    assert active_take(project.clip("shot_020")).key == "take_002"
    job = postfx_job(project, project.clip("shot_020"))
    # Same pixels (the animatic is deterministic), so the cache key - by content - is the same.
    assert job.media == first and job.done


def test_cancel_keeps_finished_stages_and_resumes(project):
    with_effects(project, "shot_010", "upscale:2", "interpolate:x2")
    job = plan_postfx(project)[0]
    cancel = CancelToken()

    def stop_in_second_stage(p: Progress) -> None:
        if p.stage == "postfx:interpolate" and p.step == 3:
            cancel.cancel()

    with pytest.raises(RenderCancelled):
        run_postfx(project, job, stop_in_second_stage, cancel)
    assert [s.done for s in job.stages] == [True, False]
    assert not list(derived_dir(project, "shot_010").glob(".*partial*"))  # no half file left behind
    seen: list[str] = []
    run_postfx(project, job, lambda p: seen.append(p.stage))
    assert set(seen) == {"postfx:interpolate"}  # the upscale stage was not run again
    assert probe(job.media).frames == 2 * 20 - 1


def test_conform_shows_processed_media(project, tmp_path):
    with_effects(project, "shot_010", "upscale:2")
    with_effects(project, "shot_020", "upscale:2")
    unbuilt = conform_timeline(project, tmp_path / "raw.mp4")
    assert (unbuilt.width, unbuilt.height) == (64, 48)
    assert any("not processed yet" in w for w in unbuilt.warnings)
    build_all(project)
    result = conform_timeline(project, tmp_path / "cut.mp4")
    assert (result.width, result.height, result.frames) == (128, 96, 32)
    assert not result.warnings


def test_export_carries_processed_media_or_the_described_effects(project, tmp_path):
    with_effects(project, "shot_010", "interpolate:x2")
    with pytest.raises(Exception, match="effects not processed"):
        export_project(project, "otio", tmp_path / "cut.otio")
    build_all(project)
    cut = otio.adapters.read_from_file(str(export_project(project, "otio", tmp_path / "cut.otio")))
    first, second = list(cut.find_clips())
    media = processed_media(project, project.clip("shot_010"))
    assert first.media_reference.target_url == media.as_posix()
    assert first.media_reference.available_range.duration.value == 39
    assert first.media_reference.available_range.duration.rate == 48
    assert list(first.effects) == []
    assert list(first.metadata["fp_timeline"]["processed"]) == ["interpolate(fps=0, factor=2, method=mci)"]
    assert second.media_reference.target_url.endswith("take_001.mp4")

    raw = otio.adapters.read_from_file(str(export_project(project, "otio", tmp_path / "raw.otio", processed=False)))
    first = list(raw.find_clips())[0]
    assert first.media_reference.target_url.endswith("shot_010/take_001.mp4")
    assert [e.effect_name for e in first.effects] == ["fp_timeline.interpolate"]
    assert first.effects[0].metadata["fp_timeline"]["settings"]["factor"] == 2


def test_cli_fx_adds_lists_builds_and_removes(project):
    runner = CliRunner()
    path = str(project.path)
    added = runner.invoke(app, ["fx", path, "--clip", "shot_010", "--add", "upscale:2", "--add", "interpolate:60"])
    assert added.exit_code == 0, added.output
    loaded = load_project(project.path)
    assert [e.effect_name for e in loaded.clip("shot_010").effects] == [
        "fp_timeline.upscale",
        "fp_timeline.interpolate",
    ]
    assert "not built" in runner.invoke(app, ["fx", path, "--clip", "shot_010"]).output

    built = runner.invoke(app, ["fx", path, "--build"])
    assert built.exit_code == 0, built.output
    media = processed_media(load_project(project.path), load_project(project.path).clip("shot_010"))
    info = probe(media)
    assert (info.frames, info.rate, info.width) == (19 * 60 // 24 + 1, 60.0, 128)

    removed = runner.invoke(app, ["fx", path, "--clip", "shot_010", "--remove", "interpolate"])
    assert removed.exit_code == 0 and "removed interpolate" in removed.output
    assert [e.kind for e in [parse_effect("upscale:2")]] == [
        e.metadata["fp_timeline"]["kind"] for e in load_project(project.path).clip("shot_010").effects
    ]
    bad = runner.invoke(app, ["fx", path, "--clip", "shot_010", "--add", "upscale:9"])
    assert bad.exit_code == 2 and "upscale.factor" in bad.output and "Traceback" not in bad.output


def test_render_runs_post_processing_after_the_take(project):
    with_effects(project, "shot_020", "sharpen:1")
    result = CliRunner().invoke(app, ["render", str(project.path), "--clip", "shot_020"])
    assert result.exit_code == 0, result.output
    loaded = load_project(project.path)
    assert active_take(loaded.clip("shot_020")).key == "take_002"
    assert processed_media(loaded, loaded.clip("shot_020")) is not None


def test_a_loop_clip_fitted_to_its_processed_length_conforms_whole(project, tmp_path):
    runner = CliRunner()
    path = str(project.path)
    result = runner.invoke(app, ["fx", path, "--clip", "shot_020", "--add", "loop:pingpong", "--fit", "--build"])
    assert result.exit_code == 0, result.output
    assert "shot_020 is now 22 frames" in result.output  # 2 x 12 - 2
    loaded = load_project(project.path)
    assert loaded.clip("shot_020").trimmed_range().duration.value == 22
    movie = conform_timeline(loaded, tmp_path / "loop.mp4")
    assert movie.frames == 20 + 22 and not movie.warnings
    no_effects = runner.invoke(app, ["fx", path, "--clip", "shot_010", "--fit"])
    assert no_effects.exit_code == 2 and "nothing to fit to" in no_effects.output


def test_track_and_timeline_effects_apply_to_every_clip_on_them(project):
    runner = CliRunner()
    path = str(project.path)
    assert runner.invoke(app, ["fx", path, "--track", "V1", "--add", "upscale:2"]).exit_code == 0
    assert runner.invoke(app, ["fx", path, "--timeline", "--add", "sharpen:1"]).exit_code == 0
    loaded = load_project(project.path)
    jobs = plan_postfx(loaded)
    assert [(j.clip, [s.effect.kind for s in j.stages]) for j in jobs] == [
        ("shot_010", ["upscale", "sharpen"]),
        ("shot_020", ["upscale", "sharpen"]),
    ]
    listing = runner.invoke(app, ["fx", path]).output
    assert "track" in listing and "timeline" in listing


def test_prune_drops_only_media_no_current_effect_uses(project):
    with_effects(project, "shot_010", "upscale:2")
    with_effects(project, "shot_020", "sharpen:1")
    build_all(project)
    current = processed_media(project, project.clip("shot_020"))
    project.clip("shot_010").effects[0].metadata["fp_timeline"]["settings"]["factor"] = 3.0
    save_project(project)
    build_all(project)
    assert len(_files(project, "shot_010")) == 2
    result = CliRunner().invoke(app, ["fx", str(project.path), "--prune"])
    assert result.exit_code == 0 and "pruned 2 file(s)" in result.output  # the x2 mp4 and its record
    assert list(_files(project, "shot_010")) == [processed_media(project, project.clip("shot_010")).name]
    assert current.is_file() and active_take(project.clip("shot_020")) is not None
    assert project.resolve(active_take(project.clip("shot_010")).media).is_file()  # takes untouched


def test_a_bundle_carries_the_processed_media(project, tmp_path):
    import zipfile

    with_effects(project, "shot_010", "upscale:2")
    build_all(project)
    bundle = export_project(project, "otio", tmp_path / "cut.otioz", bundle=True)
    with zipfile.ZipFile(bundle) as zipped:
        names = [n for n in zipped.namelist() if n.endswith(".mp4")]
        assert sorted(names) == ["media/shot_010_take_001_processed.mp4", "media/shot_020_take_001.mp4"]
        zipped.extract("media/shot_010_take_001_processed.mp4", tmp_path / "out")
    info = probe(tmp_path / "out" / "media" / "shot_010_take_001_processed.mp4")
    assert (info.width, info.height, info.frames) == (128, 96, 20)
