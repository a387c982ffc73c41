"""``doctor`` and ``render --explain`` print each generator's own memory plan (the CLI knows no torch)."""

from __future__ import annotations

from typer.testing import CliRunner

from fp_timeline.cli import app

runner = CliRunner()


def test_doctor_prints_the_f1_memory_plan_and_names_generators_without_one():
    result = runner.invoke(app, ["doctor", "--preset", "tiny", "--device", "cpu", "--offload", "disk"])
    assert result.exit_code == 0, result.output
    assert "memory plan: disk" in result.output and "why: asked for" in result.output
    assert "animatic: no heavy models" in result.output


def test_doctor_reports_a_bad_plan_name_without_a_traceback():
    result = runner.invoke(app, ["doctor", "--preset", "tiny", "--offload", "everything"])
    assert "unknown offload mode 'everything'" in result.output
    assert "Traceback" not in result.output
