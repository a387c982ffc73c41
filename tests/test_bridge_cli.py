"""``fp-timeline bridge`` and keyframes through ``add``: as a user runs them (tiny preset, a few steps)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

pytest.importorskip("torch")

from fp_timeline.cli import app  # noqa: E402
from fp_timeline.project.document import load_project, save_project  # noqa: E402
from fp_timeline.project.takes import active_take  # noqa: E402
from tests.test_bridge_engine import _project  # noqa: E402

runner = CliRunner()
QUICK = ("--param", "steps=2", "--param", "latent_window_size=3", "--seconds", "0.4")


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def text(result) -> str:
    """The output with the terminal's line wrapping undone."""
    return " ".join(result.output.split())


def test_bridge_adds_a_clip_between_two_clips_and_renders_it_after_them(tmp_path):
    project = _project(tmp_path)
    save_project(project)
    result = run("bridge", project.path, "shot_010", "shot_020", "--preset", "tiny", *QUICK)
    assert result.exit_code == 0, result.output
    assert "added shot_015 between shot_010 and shot_020: 13 frames" in text(result)
    assert "generator framepack_bridge" in text(result)
    assert "shot_010 (needed by shot_015), shot_020 (needed by shot_015), shot_015 (requested)" in text(result)
    loaded = load_project(project.path)
    assert [c.name for c in loaded.generated_clips()] == ["shot_010", "shot_015", "shot_020"]
    assert all(active_take(c) is not None for c in loaded.generated_clips())
    result = run("render", project.path, "--preset", "tiny")
    assert result.exit_code == 0 and "nothing to render" in result.output


def test_bridge_refuses_clips_that_are_not_neighbours_and_changes_nothing(tmp_path):
    project = _project(tmp_path)
    save_project(project)
    before = project.path.read_bytes()
    result = run("bridge", project.path, "shot_020", "shot_010", "--no-render")
    assert result.exit_code == 2
    assert "'shot_020' and 'shot_010' are not neighbours on one track" in text(result)
    result = run("bridge", project.path, "shot_010", "shot_020", "--seconds", "-1", "--no-render")
    assert result.exit_code == 2 and "--seconds must be more than 0" in text(result)
    assert project.path.read_bytes() == before


def test_generators_says_what_a_bridge_takes_from_its_neighbours(monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")
    result = run("generators", "framepack_bridge")
    assert result.exit_code == 0, result.output
    said = "carried clip: starts on the previous take's last frame and ends on the next take's first frame"
    assert said in text(result)
    assert "continues:" not in result.output  # it continues no context (was an empty 'continues:')
    f1 = text(run("generators", "framepack_f1"))
    assert "carried clip: carries the previous clip's context (continues: framepack_f1, video)" in f1


def test_split_refuses_to_cut_a_bridge_in_two_and_changes_nothing(tmp_path):
    project = _project(tmp_path)
    save_project(project)
    assert run("bridge", project.path, "shot_010", "shot_020", "--no-render", *QUICK).exit_code == 0
    before = project.path.read_bytes()
    result = run("split", project.path, "--clip", "shot_015", "--at", "0.2")
    assert result.exit_code == 2
    assert "shot_015 cannot be split: it starts on the previous take's last frame and ends on" in text(result)
    assert "its two halves would each need the other's frame" in text(result)
    assert project.path.read_bytes() == before


def test_keyframes_are_an_ordinary_add_with_an_end_image(tmp_path):
    project = _project(tmp_path)
    save_project(project)
    args = ("-i", tmp_path / "chelsea.png", "--param", f"end_image={tmp_path / 'coffee.png'}", "--size", "144x96")
    result = run("add", project.path, "-p", "cat to coffee", "--generator", "framepack_bridge", *args, *QUICK)
    assert result.exit_code == 0, result.output
    recipe = load_project(project.path).recipe(load_project(project.path).clip("shot_030"))
    assert recipe.params["end_image"] == "coffee.png" and recipe.image == "chelsea.png"
    assert run("validate", project.path).exit_code == 0
