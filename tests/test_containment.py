"""Nothing is read or written outside the project folder (and the chosen output); sizes have limits."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import opentimelineio as otio
import pytest
from typer.testing import CliRunner

from fp_timeline.cli import app
from fp_timeline.engine.status import project_status
from fp_timeline.engine.validation import validate_project
from fp_timeline.project.document import load_project, save_project
from fp_timeline.project.errors import ProjectError
from fp_timeline.project.recipe import METADATA_KEY
from tests.engine_helpers import chain_project, rendered_chain

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def point_take_at(project_path: Path, clip: str, target: str) -> None:
    project = load_project(project_path)
    ref = project.clip(clip).media_references()["take_001"]
    ref.target_url = target
    save_project(project)


@pytest.mark.parametrize("target", ["/etc/passwd", "../../../../../../etc/passwd", "file:///etc/passwd"])
def test_a_take_pointing_outside_is_refused_by_validate_and_export_and_never_rendered(tmp_path, target):
    project = rendered_chain(tmp_path / "p")
    point_take_at(project.path, "shot_020", target)
    loaded = load_project(project.path)
    problems = validate_project(loaded)
    assert any(p.clip == "shot_020" and "outside the project folder" in p.message for p in problems)
    row = next(r for r in project_status(loaded) if r.clip == "shot_020")
    assert row.take_missing  # never shown as a rendered take
    result = run("validate", project.path)
    assert result.exit_code == 2 and "take_001 media points outside the project folder" in result.output
    out = tmp_path / "cut.otio"
    result = run("export", project.path, "--to", "otio", "-o", out)
    assert result.exit_code == 2 and "outside the project folder" in result.output
    assert not out.exists()


def test_a_symlinked_take_leading_outside_is_not_read(tmp_path):
    project = rendered_chain(tmp_path / "p")
    secret = tmp_path / "secret.mp4"
    take = project.render_dir("shot_010") / "take_001.mp4"
    secret.write_bytes(take.read_bytes())
    take.unlink()
    take.symlink_to(secret)
    assert load_project(project.path).take_file("demo.fp/renders/shot_010/take_001.mp4") is None
    assert any("outside the project folder" in p.message for p in validate_project(load_project(project.path)))


def test_a_project_saved_elsewhere_still_reads_the_original_renders(tmp_path):
    project = rendered_chain(tmp_path / "a")
    copy = save_project(project, tmp_path / "b" / "copy.otio")
    moved = load_project(copy)
    assert validate_project(moved) == []
    assert not any(r.take_missing for r in project_status(moved))


@pytest.mark.parametrize("name", ["../../../escaped", "/tmp/absolute", "a/b", "..", "x\x1by"])
def test_a_hand_edited_clip_name_that_would_escape_is_refused_and_nothing_is_written(tmp_path, name):
    project = chain_project(tmp_path / "p")
    text = project.path.read_text().replace('"shot_010"', json.dumps(name), 1)
    project.path.write_text(text)
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(ProjectError, match="clip name"):
        load_project(project.path)
    result = run("render", project.path)
    assert result.exit_code == 2 and "clip name" in result.output
    assert sorted(tmp_path.rglob("*")) == before


def test_render_dir_refuses_an_unsafe_name(tmp_path):
    project = chain_project(tmp_path)
    with pytest.raises(ProjectError, match="clip name"):
        project.render_dir("../outside")


def huge_png_header(path: Path, width: int, height: int) -> Path:
    """A PNG whose header claims ``width`` x ``height``: PIL learns the size without any bitmap."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"") + chunk(b"IEND", b""))
    return path


@pytest.mark.parametrize("size", [(20000, 20000), (9000, 9000)])
def test_a_huge_start_image_is_refused_from_its_header(tmp_path, size):
    project = chain_project(tmp_path)
    huge_png_header(tmp_path / "start.png", *size)
    problems = validate_project(load_project(project.path))
    assert any(p.field == "image" and ("limit" in p.message or "too large" in p.message) for p in problems)


def test_a_start_image_that_is_not_an_image_is_refused(tmp_path):
    project = chain_project(tmp_path)
    (tmp_path / "start.png").write_bytes(b"GIF89a but not really")
    problems = validate_project(load_project(project.path))
    assert any(p.field == "image" and "not a readable image" in p.message for p in problems)


@pytest.mark.parametrize(
    "field, value, phrase",
    [
        ("frames", 360_000_000, "longer than 10 minutes"),
        ("width", 20000, "width"),
        ("fps", float("nan"), "fps"),
        ("fps", -30, "fps"),
        ("seed", -1, "seed"),
    ],
)
def test_hand_edited_recipes_beyond_the_limits_are_refused(tmp_path, field, value, phrase):
    project = chain_project(tmp_path)
    loaded = load_project(project.path)
    clip = next(loaded.generated_clips())
    clip.metadata[METADATA_KEY][field] = value
    otio.adapters.write_to_file(loaded.timeline, str(project.path), adapter_name="otio_json")
    with pytest.raises(ProjectError, match=phrase):
        load_project(project.path)
    result = run("validate", project.path)
    assert result.exit_code == 2 and phrase in result.output
