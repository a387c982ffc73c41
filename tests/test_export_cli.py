"""``fp-timeline export`` and ``fp-timeline import`` end to end (animatic clips: no torch)."""

from __future__ import annotations

import zipfile

import opentimelineio as otio
import pytest
from typer.testing import CliRunner

from fp_timeline.cli import app
from fp_timeline.project.document import load_project, save_project
from fp_timeline.project.takes import active_take
from tests.engine_helpers import chain_project, rendered_chain
from tests.test_adapters_support import render_fake_take

runner = CliRunner()


@pytest.fixture
def unrendered(tmp_path):
    return chain_project(tmp_path / "film", lengths=(12, 8, 8))


@pytest.fixture
def rendered(unrendered):
    for clip in unrendered.generated_clips():
        render_fake_take(unrendered, clip)
    save_project(unrendered)
    return unrendered


def _run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_refuses_unrendered_clips_and_names_them(unrendered, tmp_path):
    out = tmp_path / "cut.otio"
    result = _run("export", unrendered.path, "--to", "resolve", "-o", out)
    assert result.exit_code == 2
    text = result.output + (result.stderr if hasattr(result, "stderr") else "")
    for clip in unrendered.generated_clips():
        assert clip.name in text
    assert "--render" in text
    assert not out.exists()


def test_unknown_format_is_refused(rendered, tmp_path):
    result = _run("export", rendered.path, "--to", "avid", "-o", tmp_path / "cut.aaf")
    assert result.exit_code == 2
    assert "resolve" in result.output + getattr(result, "stderr", "")


def test_fcpxml_is_refused_with_the_reason(rendered, tmp_path):
    result = _run("export", rendered.path, "--to", "fcpxml", "-o", tmp_path / "cut.fcpxml")
    assert result.exit_code == 2
    text = " ".join((result.output + getattr(result, "stderr", "")).split())
    assert "drops transitions" in text and "--to resolve" in text
    assert not (tmp_path / "cut.fcpxml").exists()


@pytest.mark.parametrize(
    ("format_name", "suffix"),
    [
        ("resolve", ".otio"),
        ("premiere", ".otio"),
        ("premiere-xml", ".xml"),
        ("edl", ".edl"),
        ("otio", ".otio"),
    ],
)
def test_exports_each_format(rendered, tmp_path, format_name, suffix):
    out = tmp_path / f"cut{suffix}"
    result = _run("export", rendered.path, "--to", format_name, "-o", out, "--start-timecode", "01:00:00:00")
    assert result.exit_code == 0, result.output
    assert out.is_file() and out.stat().st_size > 0


def test_bundle_holds_the_media(rendered, tmp_path):
    out = tmp_path / "cut.otioz"
    result = _run("export", rendered.path, "--to", "resolve", "-o", out, "--bundle")
    assert result.exit_code == 0, result.output
    names = zipfile.ZipFile(out).namelist()
    for clip in rendered.generated_clips():
        assert f"media/{clip.name}_take_001.mp4" in names


def test_render_first_then_export(unrendered, tmp_path):
    out = tmp_path / "cut.xml"
    result = _run("export", unrendered.path, "--to", "premiere-xml", "-o", out, "--render")
    assert result.exit_code == 0, result.output
    project = load_project(unrendered.path)
    assert all(active_take(c) is not None for c in project.generated_clips())
    timeline = otio.adapters.read_from_file(str(out), adapter_name="fcp_xml")
    assert [c.name for c in timeline.find_clips()] == [c.name for c in project.generated_clips()]


def test_import_writes_a_relinked_project(rendered, tmp_path):
    cut = tmp_path / "cut.xml"
    assert _run("export", rendered.path, "--to", "premiere-xml", "-o", cut).exit_code == 0
    out = rendered.folder / "from_premiere.otio"

    result = _run("import", cut, "--project", rendered.path, "-o", out)

    assert result.exit_code == 0, result.output
    assert "3 clips re-linked" in result.output
    project = load_project(out)
    assert [c.name for c in project.generated_clips()] == [c.name for c in rendered.generated_clips()]
    again = _run("import", cut, "--project", rendered.path, "-o", out)
    assert again.exit_code == 2, "an existing project is not overwritten without --force"
    assert _run("import", cut, "--project", rendered.path, "-o", out, "--force").exit_code == 0


def test_import_of_an_edl_uses_the_project_rate(rendered, tmp_path):
    cut = tmp_path / "cut.edl"
    assert _run("export", rendered.path, "--to", "edl", "-o", cut).exit_code == 0
    out = rendered.folder / "from_edl.otio"
    result = _run("import", cut, "--project", rendered.path, "-o", out)
    assert result.exit_code == 0, result.output
    project = load_project(out)
    assert [c.source_range for c in project.generated_clips()] == [c.source_range for c in rendered.generated_clips()]


def test_import_of_garbage_is_a_clear_error(rendered, tmp_path):
    junk = tmp_path / "junk.xml"
    junk.write_text("<not-fcp/>")
    result = _run("import", junk, "--project", rendered.path)
    assert result.exit_code == 2


def test_stale_takes_export_with_a_warning(rendered, tmp_path):
    """The fake takes carry a made-up recipe hash, so every clip is stale."""
    result = _run("export", rendered.path, "--to", "otio", "-o", tmp_path / "cut.otio")
    assert result.exit_code == 0, result.output
    text = " ".join((result.output + getattr(result, "stderr", "")).split())
    assert "older recipe" in text
    for clip in rendered.generated_clips():
        assert clip.name in text


def test_an_edl_of_two_video_tracks_is_a_clear_error(rendered, tmp_path):
    rendered.timeline.tracks.append(otio.schema.Track(name="V2", kind=otio.schema.TrackKind.Video))
    save_project(rendered)
    result = _run("export", rendered.path, "--to", "edl", "-o", tmp_path / "cut.edl")
    assert result.exit_code == 2
    assert "single video track" in result.output + getattr(result, "stderr", "")


def test_the_whole_loop_export_edit_import_rerender_export(tmp_path):
    """Reordering carried shots in the NLE makes them stale here; rerender them and send the cut back."""
    project = rendered_chain(tmp_path / "film", lengths=(12, 8, 8))
    cut = tmp_path / "cut.xml"
    assert _run("export", project.path, "--to", "premiere-xml", "-o", cut).exit_code == 0

    edited = otio.adapters.read_from_file(str(cut), adapter_name="fcp_xml")  # the editor swaps two shots
    track = edited.tracks[0]
    second = track[1]
    del track[1]
    track.append(second)
    recut = tmp_path / "recut.xml"
    otio.adapters.write_to_file(edited, str(recut), adapter_name="fcp_xml")

    imported = project.folder / "recut.otio"
    result = _run("import", recut, "--project", project.path, "-o", imported)
    assert result.exit_code == 0, result.output
    assert [c.name for c in load_project(imported).generated_clips()] == ["shot_010", "shot_030", "shot_020"]

    rendered = _run("render", imported)
    assert rendered.exit_code == 0, rendered.output
    again = load_project(imported)
    assert {c.name: active_take(c).key for c in again.generated_clips()} == {
        "shot_010": "take_001",
        "shot_030": "take_002",
        "shot_020": "take_002",
    }
    final = _run("export", imported, "--to", "premiere-xml", "-o", tmp_path / "final.xml")
    assert final.exit_code == 0, final.output
    assert "older recipe" not in final.output + getattr(final, "stderr", "")


def test_render_first_replaces_a_take_whose_file_is_gone(tmp_path):
    project = rendered_chain(tmp_path / "film", lengths=(12, 8))
    project.resolve(active_take(project.clip("shot_020")).media).unlink()
    result = _run("export", project.path, "--to", "edl", "-o", tmp_path / "cut.edl", "--render")
    assert result.exit_code == 0, result.output
    again = load_project(project.path)
    assert active_take(again.clip("shot_020")).key == "take_002"
    assert active_take(again.clip("shot_010")).key == "take_001", "nothing else is rendered again"
