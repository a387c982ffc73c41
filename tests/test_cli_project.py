"""The project subcommands, run as a user runs them."""

import re

from typer.testing import CliRunner

from fp_timeline.cli import app
from fp_timeline.project.document import load_project
from tests.project_helpers import write_image

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_new_add_info_validate(tmp_path):
    project = tmp_path / "film.otio"
    image = write_image(tmp_path / "img" / "cat.png")
    assert run("new", project).exit_code == 0
    assert run("new", project).exit_code == 2  # never silently replaces a project
    result = run(
        "add",
        project,
        "-i",
        image,
        "-p",
        "the cat yawns",
        "--seed",
        3,
        "-s",
        1.5,
        "--generator",
        "animatic",
        "--size",
        "64x48",
    )
    assert result.exit_code == 0, result.output
    assert "added shot_010: 45 frames (1.50 s), seed 3, fresh" in " ".join(result.output.split())
    result = run("add", project, "-p", "the cat blinks", "--carry", "--generator", "animatic", "--seed", 4)
    assert result.exit_code == 0, result.output
    loaded = load_project(project)
    first, second = (loaded.recipe(c) for c in loaded.generated_clips())
    assert first.image == "img/cat.png" and first.frames == 45 and (first.width, first.height) == (64, 48)
    assert second.carries and second.image is None and (second.width, second.height) == (64, 48)

    result = run("info", project)
    assert result.exit_code == 0
    assert re.search(r"shot_010.*unrendered", result.output) and "2 unrendered" in result.output
    result = run("validate", project)
    assert result.exit_code == 0 and "ok" in result.output


def test_add_refuses_a_missing_image_and_leaves_the_file_untouched(tmp_path):
    project = tmp_path / "film.otio"
    run("new", project)
    before = project.read_bytes()
    result = run("add", project, "-i", tmp_path / "nope.png", "-p", "x", "--generator", "animatic")
    assert result.exit_code == 2
    assert "nope.png" in result.output
    assert project.read_bytes() == before


def test_validate_reports_every_problem_with_its_place(tmp_path):
    project = tmp_path / "film.otio"
    image = write_image(tmp_path / "cat.png")
    run("new", project)
    run("add", project, "-i", image, "-p", "x", "--generator", "animatic")
    text = project.read_text().replace('"generator": "animatic"', '"generator": "nosuch"')
    project.write_text(text)
    result = run("validate", project)
    assert result.exit_code == 2
    assert "shot_010" in result.output and "unknown generator 'nosuch'" in result.output


def test_unknown_project_is_a_clear_error(tmp_path):
    result = run("info", tmp_path / "missing.otio")
    assert result.exit_code == 2 and "does not exist" in result.output


def test_info_shows_a_take_whose_file_is_gone(tmp_path):
    from fp_timeline.project.document import save_project
    from fp_timeline.project.takes import Take, add_take

    project = tmp_path / "film.otio"
    image = write_image(tmp_path / "cat.png")
    run("new", project)
    run("add", project, "-i", image, "-p", "x", "--generator", "animatic")
    loaded = load_project(project)
    clip = loaded.clip("shot_010")
    add_take(clip, Take("take_001", "film.fp/renders/shot_010/take_001.mp4", "any-hash", 60, 30.0))
    save_project(loaded)
    result = run("info", project)
    assert result.exit_code == 0
    assert "take missing" in result.output and "1 with the take file missing" in result.output
