"""The main job: the README's command renders the three-shot sample end to end (F1 tiny preset, CPU)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fp_timeline.cli import app
from fp_timeline.engine.media import probe
from fp_timeline.engine.planner import plan_render
from fp_timeline.project.document import load_project

SAMPLE = Path(__file__).resolve().parents[1] / "sample_projects" / "three_shots"

pytest.importorskip("torch")


@pytest.mark.slow
def test_render_the_three_shot_sample_into_one_mp4(tmp_path):
    shutil.copytree(SAMPLE, tmp_path / "three_shots")
    project = tmp_path / "three_shots" / "three_shots.otio"
    movie = tmp_path / "three_shots.mp4"
    result = CliRunner().invoke(app, ["render", str(project), "-o", str(movie), "--preset", "tiny"])
    assert result.exit_code == 0, result.output
    info = probe(movie)
    # 73 + 36 + 36 + 37 frames; the dissolve overlaps the cut, it adds none.
    assert (info.frames, info.rate, info.width, info.height) == (182, 30.0, 144, 96)
    assert plan_render(load_project(project), options={"preset": "tiny"}) == []

    # The real model has not made these takes: every clip is stale, and info says why.
    result = CliRunner().invoke(app, ["info", str(project), "--preset", "real", "--device", "cpu"])
    assert result.exit_code == 0, result.output
    assert "0 rendered, 4 stale" in result.output
    assert "made by the tiny preset (float32); this render uses the real model (float32)" in result.output
    result = CliRunner().invoke(app, ["render", str(project), "--preset", "real", "--device", "cpu", "--dry-run"])
    assert "4 job(s)" in result.output and "(stale)" in result.output
