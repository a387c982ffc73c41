"""The main job: the README's command renders the three-shot sample end to end (F1 tiny preset, CPU),
into a working copy, leaving the sample as it found it."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fp_timeline.cli import app
from fp_timeline.engine.media import probe
from fp_timeline.engine.planner import plan_render
from fp_timeline.project.document import load_project
from tests.sample_copies import pristine_sample

README = Path(__file__).resolve().parents[1] / "README.md"

pytest.importorskip("torch")


def readme_render_args() -> list[str]:
    """The arguments of ``fp-timeline render ...`` in the README's first command."""
    first = re.search(r"```bash\n(.*?)\n```", README.read_text(), re.S).group(1)
    command = first.split("&&")[-1].strip()
    words = shlex.split(command)
    assert words[:2] == ["fp-timeline", "render"], command
    return words[1:]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_the_readme_command_renders_the_sample_and_leaves_it_as_it_was(tmp_path, monkeypatch):
    sample = pristine_sample("three_shots", tmp_path / "sample_projects" / "three_shots")
    before = snapshot(sample)
    monkeypatch.chdir(tmp_path)
    args = readme_render_args()
    assert "--work-in" in args
    result = CliRunner().invoke(app, [*args, "--preset", "tiny"])
    assert result.exit_code == 0, result.output
    assert snapshot(sample) == before  # the tracked sample is untouched: no takes, no renders beside it

    output = Path(args[args.index("-o") + 1])
    info = probe(output)
    # 73 + 36 + 36 + 37 frames; the dissolve overlaps the cut, it adds none.
    assert (info.frames, info.rate, info.width, info.height) == (182, 30.0, 144, 96)
    copy = Path(args[args.index("--work-in") + 1]) / "three_shots.otio"
    assert plan_render(load_project(copy), options={"preset": "tiny"}) == []

    # The real model has not made these takes: every clip is stale, and info says why.
    result = CliRunner().invoke(app, ["info", str(copy), "--preset", "real", "--device", "cpu"])
    assert result.exit_code == 0, result.output
    assert "0 rendered, 4 stale" in result.output
    assert "made by the tiny preset (float32); this render uses the real model (float32)" in result.output
    result = CliRunner().invoke(app, ["render", str(copy), "--preset", "real", "--device", "cpu", "--dry-run"])
    assert "4 job(s)" in result.output and "(stale)" in result.output
