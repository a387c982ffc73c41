"""``render --clip --variations``, ``takes`` (model, seed), ``takes --use`` that sticks, ``set``, ``extend`` names."""

from __future__ import annotations

from typer.testing import CliRunner

from fp_timeline.cli import app
from fp_timeline.project.document import load_project
from fp_timeline.project.takes import active_take, takes_of
from tests.engine_helpers import chain_project, rendered_chain, write_image

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_variations_list_and_a_chosen_take_sticks(tmp_path):
    project = rendered_chain(tmp_path)
    result = run("render", project.path, "--clip", "shot_020", "--variations", "3")
    assert result.exit_code == 0, result.output
    assert "3 clip(s) to render" in result.output and "variation 3/3" in result.output
    clip = load_project(project.path).clip("shot_020")
    seeds = [t.seed for t in takes_of(clip)]
    assert len(seeds) == 4 and len(set(seeds)) == 4

    result = run("takes", project.path, "--clip", "shot_020")
    assert result.exit_code == 0
    assert all(str(seed) in result.output for seed in seeds)
    assert result.output.count("animatic generator") == 4  # the model of each take

    result = run("takes", project.path, "--clip", "shot_020", "--use", "3")
    assert result.exit_code == 0 and f"now showing take_003 (seed {seeds[2]})" in result.output
    loaded = load_project(project.path)
    assert loaded.recipe(loaded.clip("shot_020")).seed == seeds[2]
    result = run("render", project.path, "--dry-run")
    assert "1 job(s)" in result.output and "shot_030: render" in result.output  # only what carries from it
    result = run("render", project.path)
    assert active_take(load_project(project.path).clip("shot_020")).key == "take_003"


def test_rerender_is_a_new_seed_unless_asked(tmp_path):
    project = rendered_chain(tmp_path)
    seed = load_project(project.path).recipe(load_project(project.path).clip("shot_010")).seed
    assert run("render", project.path, "--clip", "shot_010", "--same-seed").exit_code == 0
    assert load_project(project.path).recipe(load_project(project.path).clip("shot_010")).seed == seed
    assert run("render", project.path, "--clip", "shot_010").exit_code == 0
    takes = takes_of(load_project(project.path).clip("shot_010"))
    assert [t.seed == seed for t in takes] == [True, True, False]
    result = run("render", project.path, "--variations", "2")
    assert result.exit_code == 2 and "need --clip" in result.output


def test_set_edits_a_recipe_with_the_same_checks_as_a_file(tmp_path):
    project = chain_project(tmp_path)
    write_image(tmp_path / "other.png", seed=3)
    result = run(
        "set", project.path, "--clip", "shot_020", "--prompt", "a new prompt", "--seed", "5",
        "--param", "zoom_per_second=0.1", "--seconds", "0.5",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    recipe = load_project(project.path).recipe(load_project(project.path).clip("shot_020"))
    assert (recipe.prompt, recipe.seed, recipe.params, recipe.frames) == (
        "a new prompt",
        5,
        {"zoom_per_second": 0.1},
        12,
    )

    result = run("set", project.path, "--clip", "shot_020", "--context", "fresh", "--image", tmp_path / "other.png")
    assert result.exit_code == 0, result.output
    recipe = load_project(project.path).recipe(load_project(project.path).clip("shot_020"))
    assert recipe.context.value == "fresh" and recipe.image == "other.png"
    assert run("set", project.path, "--clip", "shot_020", "--new-seed").exit_code == 0
    assert load_project(project.path).recipe(load_project(project.path).clip("shot_020")).seed != 5

    before = project.path.read_bytes()
    for bad, words in (
        (["--param", "nonsense"], "KEY=VALUE"),
        (["--param", "wobble=1"], "unknown animatic parameter"),
        (["--seed", "1", "--new-seed"], "not both"),
        (["--seed", "-4"], "seed must be"),
        (["--context", "sideways"], "context must be one of"),
    ):
        result = run("set", project.path, "--clip", "shot_020", *bad)
        assert result.exit_code == 2 and words in result.output, (bad, result.output)
    assert project.path.read_bytes() == before  # a refused edit changes nothing


def test_set_snaps_a_framepack_length_to_the_recipes_sections(tmp_path):
    from tests.project_helpers import chain_project as f1_chain

    project = f1_chain(tmp_path, clips=2, generator="framepack_f1", frames=37)
    result = run("set", project.path, "--clip", "shot_020", "--param", "latent_window_size=5", "--frames", "50")
    assert result.exit_code == 0, result.output
    assert "50 frames snapped to 40" in result.output
    assert load_project(project.path).recipe(load_project(project.path).clip("shot_020")).frames == 40


def test_extend_names_new_clips_in_timeline_order(tmp_path):
    project = rendered_chain(tmp_path)
    assert run("extend", project.path, "--clip", "shot_010", "-s", "0.5", "-p", "between").exit_code == 0
    assert run("extend", project.path, "--clip", "shot_030", "-s", "0.5", "-p", "at the end").exit_code == 0
    names = [c.name for c in load_project(project.path).generated_clips()]
    assert names == ["shot_010", "shot_015", "shot_020", "shot_030", "shot_040"] == sorted(names)


def test_work_in_renders_a_copy_and_leaves_the_original_alone(tmp_path):
    project = chain_project(tmp_path / "original")
    before = {p: p.read_bytes() for p in (tmp_path / "original").rglob("*") if p.is_file()}
    result = run("render", project.path, "--work-in", tmp_path / "work", "-o", tmp_path / "work" / "m.mp4")
    assert result.exit_code == 0, result.output
    assert {p: p.read_bytes() for p in (tmp_path / "original").rglob("*") if p.is_file()} == before
    copy = load_project(tmp_path / "work" / "demo.otio")
    assert all(active_take(c) is not None for c in copy.generated_clips())
    assert copy.resolve(copy.recipe(copy.clip("shot_010")).image) == (tmp_path / "original" / "start.png").resolve()
    again = run("render", project.path, "--work-in", tmp_path / "work")
    assert again.exit_code == 0 and "nothing to render" in again.output


def test_info_prints_prompts_in_full_when_piped(tmp_path):
    project = chain_project(tmp_path)
    long_prompt = "the camera drifts slowly " * 12 + "and ends on the horizon"
    assert run("set", project.path, "--clip", "shot_020", "--prompt", long_prompt).exit_code == 0
    result = run("info", project.path)
    assert result.exit_code == 0 and long_prompt in result.output


def test_split_cuts_a_rendered_clip_without_rendering(tmp_path):
    project = rendered_chain(tmp_path, lengths=(24, 12, 12), continue_noise=True)
    result = run("split", project.path, "--clip", "shot_010", "--at", "0.5")
    assert result.exit_code == 0, result.output
    assert "shot_010 -> shot_010 (12 frames) + shot_015 (12 frames, carries on)" in result.output
    assert "0 job(s)" in run("render", project.path, "--dry-run").output  # nothing stale, downstream included
    assert run("set", project.path, "--clip", "shot_020", "--prompt", "changed").exit_code == 0
    assert run("split", project.path, "--clip", "shot_020", "--at", "0.2").exit_code == 2  # stale: refused
