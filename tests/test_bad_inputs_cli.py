"""Hostile command lines: each ends in a clear error (exit 2, 'error:' naming the field), never a traceback.

The ids are the rows of docs/bad-inputs.md.
"""

from __future__ import annotations

import os
import stat

import pytest
from typer.testing import CliRunner

from fp_timeline.cli import app
from fp_timeline.project.document import load_project
from tests.engine_helpers import rendered_chain
from tests.project_helpers import chain_project

runner = CliRunner()
NOT_UTF8 = b"caf\xff".decode("utf-8", "surrogateescape")  # what Python makes of non-UTF-8 argv bytes


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def add(project, *extra, prompt="a cat walks"):
    return run("add", project.path, "-p", prompt, "--generator", "animatic", "-i", "images/start.png", *extra)


def refused(result, *phrases: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert "error:" in result.output
    for phrase in phrases:
        assert phrase in result.output, result.output


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # messages on one line each


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return chain_project(tmp_path)


BAD_ADDS = {
    "seconds-nan": (("-s", "nan"), "--seconds"),
    "seconds-inf": (("-s", "inf"), "--seconds"),
    "seconds-negative": (("-s", "-5"), "--seconds"),
    "seconds-11-minutes": (("-s", "660"), "--seconds"),
    "name-dotdot": (("--name", "../../../x"), "clip name"),
    "name-absolute": (("--name", "/tmp/x"), "clip name"),
    "name-backslash": (("--name", "a\\b"), "clip name"),
    "name-dot": (("--name", "."), "clip name"),
    "name-control": (("--name", "a\x1b[2Jb"), "clip name"),
    "name-too-long": (("--name", "n" * 300), "clip name"),
    "name-not-utf8": (("--name", NOT_UTF8), "clip name"),
    "name-markup": (("--name", "[/bold]"), "clip name"),
    "size-odd-digits": (("--size", "６４x64"), "size must look like"),
    "size-huge": (("--size", "99984x64"), "width"),
    "size-not-16": (("--size", "50x64"), "width"),
    "image-not-utf8": (("-i", f"/tmp/{NOT_UTF8}.png"), "not valid UTF-8"),
    "image-a-folder": (("-i", "."), "start image"),
}


@pytest.mark.parametrize("case", sorted(BAD_ADDS))
def test_bad_add_arguments_are_refused_and_change_nothing(project, case):
    extra, phrase = BAD_ADDS[case]
    before = project.path.read_bytes()
    refused(add(project, *extra), phrase)
    assert project.path.read_bytes() == before


BAD_PROMPTS = {
    "prompt-nul": ("a\x00b", "NUL"),
    "prompt-not-utf8": (NOT_UTF8, "not valid UTF-8"),
    "prompt-huge": ("x" * 20_000, "limit"),
}


@pytest.mark.parametrize("case", sorted(BAD_PROMPTS))
def test_bad_prompts_are_refused(project, case):
    prompt, phrase = BAD_PROMPTS[case]
    refused(add(project, prompt=prompt), phrase)


def test_f1_refuses_more_than_2048_px_a_side(project):
    result = run("add", project.path, "-p", "x", "-i", "images/start.png", "--size", "4096x512", "--name", "big")
    refused(result, "at most 2048 px")


def test_markup_and_escape_codes_in_user_text_print_as_plain_text(project, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # the table on one line each
    prompt = "[/bold] [red]x[/red] \x1b[31mred\x1b[0m \u202eevil"
    assert add(project, "--name", "[b]oom", prompt=prompt).exit_code == 0
    result = run("info", project.path)
    assert result.exit_code == 0, result.output
    assert "[b]oom" in result.output and "[/bold]" in result.output
    assert "\x1b" not in result.output and "\u202e" not in result.output
    assert "\\x1b[31mred" in result.output and "\\u202eevil" in result.output
    saved = load_project(project.path)
    assert saved.recipe(saved.clip("[b]oom")).prompt == prompt  # stored unchanged, only shown escaped


def test_markup_in_a_path_prints_plainly(tmp_path):
    path = tmp_path / "[bold]x" / "film[red]y.otio"
    path.parent.mkdir()
    result = run("new", path)
    assert result.exit_code == 0 and "[red]y" in result.output
    refused(run("new", path), "file exists already")


@pytest.mark.parametrize("rate", ["nan", "0", "-24", "inf", "1e9"])
def test_bad_timeline_rates_are_refused(tmp_path, rate):
    refused(run("new", tmp_path / "f.otio", "--rate", rate), "timeline rate")
    assert not (tmp_path / "f.otio").exists()


def test_odd_digits_in_use_are_a_clear_error(project):
    refused(run("takes", project.path, "-c", "shot_010", "--use", "²"), "no take")


def test_unknown_clip_with_markup_is_a_clear_error(project):
    refused(run("takes", project.path, "-c", "[/x]"), "no clip named '[/x]'")


def test_a_folder_as_the_project_is_a_clear_error(tmp_path):
    refused(run("info", tmp_path), "not a file")


def test_a_corrupt_project_file_is_a_clear_error(tmp_path):
    (tmp_path / "bad.otio").write_bytes(b"\xff\xfe{not json")
    refused(run("info", tmp_path / "bad.otio"), "not a readable OTIO file")


@pytest.mark.parametrize(
    "output, phrase",
    [
        (".", "is a folder"),
        ("nowhere/x.mp4", "does not exist"),
        ("demo.otio", "would overwrite the project"),
        ("demo.fp/x.mp4", "would overwrite"),
    ],
)
def test_bad_conform_outputs_are_refused_before_rendering(tmp_path, monkeypatch, output, phrase):
    monkeypatch.chdir(tmp_path)
    project = rendered_chain(tmp_path)
    before = project.path.read_bytes()
    refused(run("render", project.path, "-o", output), phrase)
    assert project.path.read_bytes() == before


def test_unwritable_output_folder_is_refused(tmp_path):
    project = rendered_chain(tmp_path / "p")
    if os.geteuid() == 0:  # root may write anywhere a mode allows: use a folder no one can write files in
        refused(run("render", project.path, "-o", "/proc/x.mp4"), "/proc/x.mp4")
        return
    locked = tmp_path / "ro"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        refused(run("render", project.path, "-o", locked / "x.mp4"), "cannot write into")
    finally:
        locked.chmod(stat.S_IRWXU)


def test_corrupt_take_during_conform_is_a_clear_error(tmp_path):
    project = rendered_chain(tmp_path)
    take = next(project.data_dir.joinpath("renders", "shot_020").glob("take_*.mp4"))
    take.write_bytes(b"\x00\x00\x00 ftypisom" + os.urandom(2000))
    result = run("render", project.path, "-o", tmp_path / "out.mp4")
    refused(result, "cannot read its media", "shot_020")
    assert not (tmp_path / "out.mp4").exists()


def test_a_newer_project_schema_is_never_rewritten(project):
    text = project.path.read_text().replace('"project_schema": 1', '"project_schema": 99')
    project.path.write_text(text)
    refused(add(project), "newer fp-timeline")
    assert project.path.read_text() == text


def test_read_only_project_folder_during_add_is_a_clear_error(tmp_path, monkeypatch):
    project = chain_project(tmp_path / "p")
    before = project.path.read_bytes()
    if os.geteuid() == 0:  # root ignores the folder's mode: make the save's temp file fail as it would

        def denied(*args, **kwargs):
            raise PermissionError(13, "Permission denied", str(project.folder))

        monkeypatch.setattr("fp_timeline.project.atomic.tempfile.mkstemp", denied)
    folder_mode = project.folder.stat().st_mode
    project.data_dir.mkdir(exist_ok=True)
    (project.data_dir / "project.lock").unlink(missing_ok=True)
    project.folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    project.data_dir.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = run("add", project.path, "-p", "x", "--generator", "animatic", "--carry")
    finally:
        project.data_dir.chmod(stat.S_IRWXU)
        project.folder.chmod(folder_mode)
    refused(result, "Permission denied")
    assert project.path.read_bytes() == before


def test_a_real_bug_still_shows_its_traceback_and_asks_for_a_report(project, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("fp_timeline.cli.subcommands.project.project_status", broken)
    result = run("info", project.path)
    assert result.exit_code == 70
    assert "Traceback" in result.output and "ZeroDivisionError" in result.output
    assert "please report it" in result.output
