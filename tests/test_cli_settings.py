"""Generator settings on the command line come from the generators' schemas (--param, --set)."""

from typer.testing import CliRunner

from fp_timeline.cli import app
from fp_timeline.project.document import load_project
from tests.project_helpers import write_image

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def _new(tmp_path):
    project = tmp_path / "film.otio"
    write_image(tmp_path / "img" / "cat.png")
    assert run("new", project).exit_code == 0
    return project


def test_add_reads_params_by_the_generators_schema(tmp_path):
    project = _new(tmp_path)
    base = ("add", project, "-i", tmp_path / "img" / "cat.png", "-p", "a cat", "--generator", "animatic")
    result = run(*base, "--param", "zoom_per_second=0.1", "--size", "64x48")
    assert result.exit_code == 0, result.output
    clip = load_project(project).clip("shot_010")
    assert load_project(project).recipe(clip).params == {"zoom_per_second": 0.1}

    bad = run(*base, "--param", "zoom_per_second=9", "--name", "shot_x")
    assert bad.exit_code != 0 and "zoom_per_second" in bad.output and "-1..1" in bad.output
    unknown = run(*base, "--param", "steps=3", "--name", "shot_y")
    assert unknown.exit_code != 0 and "unknown animatic param" in unknown.output


def test_render_reads_set_options_by_schema_and_refuses_unknown_ones(tmp_path):
    project = _new(tmp_path)
    run("add", project, "-i", tmp_path / "img" / "cat.png", "-p", "a cat", "--generator", "animatic", "-s", 0.2)
    result = run("render", project, "--set", "vae_tiling=maybe")
    assert result.exit_code != 0 and "cannot read 'maybe' as bool" in result.output
    result = run("render", project, "--set", "wobble=1")
    assert result.exit_code != 0 and "unknown option" in result.output and "vae_tiling" in result.output
    assert "take_001" not in load_project(project).clip("shot_010").media_references()


def test_generators_lists_each_schema(tmp_path):
    result = run("generators")
    assert result.exit_code == 0
    for word in ("framepack_f1", "latent_window_size", "animatic", "zoom_per_second", "--set (runtime)"):
        assert word in result.output


def test_add_snaps_the_length_to_the_sections_its_params_make(tmp_path):
    project = _new(tmp_path)
    image = tmp_path / "img" / "cat.png"
    window = ("--param", "latent_window_size=3")
    result = run("add", project, "-i", image, "-p", "a cat", "-s", 1, *window, "--size", "64x48")
    assert result.exit_code == 0, result.output
    recipe = load_project(project).recipe(load_project(project).clip("shot_010"))
    assert recipe.frames == 25 and recipe.params == {"latent_window_size": 3}  # 2 sections of 12 (not one of 36)
