"""``render``, ``takes`` and ``extend`` run as a user runs them (animatic generator, no torch)."""

from __future__ import annotations

import signal

from typer.testing import CliRunner

from fp_timeline.cli import app
from fp_timeline.engine.media import probe
from fp_timeline.project.document import load_project
from fp_timeline.project.takes import takes_of
from tests.engine_helpers import chain_project, use_fake_generator

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_render_conforms_and_a_second_run_renders_nothing(tmp_path):
    project = chain_project(tmp_path)
    movie = tmp_path / "movie.mp4"
    result = run("render", project.path, "-o", movie)
    assert result.exit_code == 0, result.output
    assert "3 clip(s) to render" in result.output
    info = probe(movie)
    assert (info.frames, info.rate, info.width, info.height) == (28, 24.0, 64, 48)

    before = project.path.read_bytes()
    result = run("render", project.path)
    assert result.exit_code == 0 and "nothing to render" in result.output
    assert project.path.read_bytes() == before


def test_render_one_clip_then_switch_takes(tmp_path):
    project = chain_project(tmp_path)
    assert run("render", project.path).exit_code == 0
    result = run("render", project.path, "--clip", "shot_020")
    assert result.exit_code == 0 and "shot_020 (new seed " in result.output
    clip = load_project(project.path).clip("shot_020")
    assert [t.key for t in takes_of(clip)] == ["take_001", "take_002"]
    assert clip.active_media_reference_key == "take_002"

    result = run("takes", project.path, "--clip", "shot_020", "--use", "1")
    assert result.exit_code == 0 and "now showing take_001" in result.output
    assert load_project(project.path).clip("shot_020").active_media_reference_key == "take_001"
    result = run("takes", project.path, "--clip", "shot_020", "--use", "take_009")
    assert result.exit_code == 2 and "no take 'take_009'" in result.output


def test_extend_adds_and_renders_a_carried_clip(tmp_path):
    project = chain_project(tmp_path)
    result = run(
        "extend", project.path, "--clip", "shot_030", "-s", "0.5", "-p", "it keeps going", "-o", tmp_path / "m.mp4"
    )
    assert result.exit_code == 0, result.output
    loaded = load_project(project.path)
    assert loaded.recipe(loaded.clip("shot_040")).prompt == "it keeps going"
    assert probe(tmp_path / "m.mp4").frames == 28 + 12


def test_errors_are_reported_without_traceback(tmp_path):
    project = chain_project(tmp_path)
    result = run("render", project.path, "--clip", "shot_999")
    assert result.exit_code == 2 and "no clip named 'shot_999'" in result.output
    result = run("render", project.path, "--preset", "huge")
    assert result.exit_code == 2 and "--preset" in result.output
    (tmp_path / "start.png").unlink()
    result = run("render", project.path)
    assert result.exit_code == 2 and "start image not found" in result.output


def test_a_generator_failure_is_one_clear_line_and_keeps_finished_takes(tmp_path, monkeypatch):
    from fp_timeline_plugins.animatic.generator import AnimaticGenerator

    class OutOfMemory(AnimaticGenerator):
        def render(self, job, out, progress, cancel):
            if job.clip == "shot_030":
                raise RuntimeError("CUDA out of memory (pretend)")
            return super().render(job, out, progress, cancel)

    use_fake_generator(monkeypatch, OutOfMemory())
    project = chain_project(tmp_path)
    result = run("render", project.path)
    assert result.exit_code == 1
    assert "clip 'shot_030': CUDA out of memory (pretend)" in result.output
    assert "Traceback" not in result.output
    assert [len(takes_of(c)) for c in load_project(project.path).generated_clips()] == [1, 1, 0]


def test_ctrl_c_cancels_cleanly_with_exit_130(tmp_path, monkeypatch):
    """A real SIGINT in the middle of the second clip: first clip kept, project valid, exit 130."""
    from fp_timeline_plugins.animatic.generator import AnimaticGenerator

    class CtrlC(AnimaticGenerator):
        presses = 1

        def render(self, job, out, progress, cancel):
            def interrupting(p):
                if job.clip == "shot_020" and p.step == 3 and self.presses:
                    self.presses -= 1
                    signal.raise_signal(signal.SIGINT)  # the user presses Ctrl-C
                progress(p)

            return super().render(job, out, interrupting, cancel)

    use_fake_generator(monkeypatch, CtrlC())
    project = chain_project(tmp_path)
    result = run("render", project.path, "-o", tmp_path / "never.mp4")
    assert result.exit_code == 130, result.output
    assert "cancelled" in result.output
    loaded = load_project(project.path)
    assert [len(takes_of(c)) for c in loaded.generated_clips()] == [1, 0, 0]
    assert not (tmp_path / "never.mp4").exists()
    assert run("render", project.path).exit_code == 0  # the same command continues


def test_notices_and_resume_lines_are_printed_once(tmp_path, monkeypatch):
    from fp_timeline.engine.generator import Progress
    from fp_timeline_plugins.animatic.generator import AnimaticGenerator

    class Chatty(AnimaticGenerator):
        def render(self, job, out, progress, cancel):
            for _ in range(2):
                progress(Progress(job.clip, "load", 0, 0, message="tiny preset: random weights"))
            progress(Progress(job.clip, "resume", 1, 1, 1, 2, message=f"{job.clip}: replaying section 1/1"))
            return super().render(job, out, progress, cancel)

    use_fake_generator(monkeypatch, Chatty())
    result = run("render", chain_project(tmp_path).path)
    assert result.exit_code == 0
    assert result.output.count("tiny preset: random weights") == 1
    assert "shot_020: replaying section 1/1" in result.output


def test_dry_run_shows_the_plan_and_changes_nothing(tmp_path):
    project = chain_project(tmp_path)
    before = project.path.read_bytes()
    files_before = sorted(tmp_path.rglob("*"))  # <stem>.fp/ holds the writer lock from the save above
    result = run("render", project.path, "--clip", "shot_030", "--dry-run")
    assert result.exit_code == 0
    assert "shot_010: render 12 frames (needed by shot_020)" in result.output
    assert "shot_030: render 8 frames after shot_020 (new seed " in result.output
    assert project.path.read_bytes() == before and sorted(tmp_path.rglob("*")) == files_before
