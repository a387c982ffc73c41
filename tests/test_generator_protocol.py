"""Protocol v2, engine side: declared media inputs, settings schemas, accepted contexts, release."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fp_timeline.engine import capabilities, registry
from fp_timeline.engine.generator import MediaInput
from fp_timeline.engine.planner import plan_render
from fp_timeline.engine.renderer import render_project
from fp_timeline.engine.schema import Setting, check_settings, parse_loras
from fp_timeline.engine.validation import recipe_problems, validate_project
from fp_timeline.project.document import load_project, new_project, save_project, save_project_as
from fp_timeline.project.edits import add_clip
from fp_timeline.project.hashing import recipe_hashes
from fp_timeline.project.recipe import Recipe
from tests.engine_helpers import SIZE, SolidGenerator, animatic_recipe, use_fake_generator, write_image

ROOT = Path(__file__).resolve().parents[1]


class LoraSolid(SolidGenerator):
    """The solid generator with a LoRA list among its media inputs, and a ``release`` that counts."""

    id = "lora_solid"
    inputs = (MediaInput("params.loras[].path", "lora", "LoRA weights"),)
    params_schema = (Setting("loras", "lora_list", [], "LoRA files with weights"),)
    released = 0

    def release(self) -> None:
        LoraSolid.released += 1

    def render(self, job, out, progress, cancel):
        self.media_seen = dict(job.media)
        return super().render(job, out, progress, cancel)


def _lora_project(folder: Path) -> tuple:
    write_image(folder / "start.png")
    (folder / "loras").mkdir(parents=True)
    (folder / "loras" / "style.safetensors").write_bytes(b"weights v1")
    project = new_project(folder / "p.otio", rate=SIZE["fps"])
    params = {"loras": [{"path": "loras/style.safetensors", "weight": 0.8}]}
    add_clip(project, animatic_recipe(6).replace(generator="lora_solid", params=params))
    save_project(project)
    return project


def _hash(project) -> str:
    return next(iter(recipe_hashes(project, registry.generator_version, registry.media_fields).values()))


def test_a_declared_media_file_counts_by_content_and_moves_with_save_as(tmp_path, monkeypatch):
    use_fake_generator(monkeypatch, LoraSolid())
    project = _lora_project(tmp_path / "a")
    before = _hash(project)
    (tmp_path / "a" / "loras" / "style.safetensors").write_bytes(b"weights v2")  # same path, new content
    changed = _hash(project)
    assert changed != before

    moved = save_project_as(project, tmp_path / "elsewhere" / "deeper" / "p.otio", registry.media_fields)
    stored = moved.recipe(moved.clip("shot_010")).params["loras"][0]["path"]
    assert stored == "../../a/loras/style.safetensors"
    assert moved.resolve(stored) == (tmp_path / "a" / "loras" / "style.safetensors").resolve()
    assert _hash(load_project(moved.path)) == changed  # re-spelt path, same content: same identity


def test_the_renderer_hands_the_generator_every_resolved_media_path(tmp_path, monkeypatch):
    generator = LoraSolid()
    use_fake_generator(monkeypatch, generator)
    project = _lora_project(tmp_path)
    render_project(project, plan_render(project))
    assert generator.media_seen == {
        "start.png": (tmp_path / "start.png").resolve(),
        "loras/style.safetensors": (tmp_path / "loras" / "style.safetensors").resolve(),
    }


def test_validate_reports_a_missing_media_file_by_its_field(tmp_path, monkeypatch):
    use_fake_generator(monkeypatch, LoraSolid())
    project = _lora_project(tmp_path)
    (tmp_path / "loras" / "style.safetensors").unlink()
    problems = validate_project(project)
    assert [(p.clip, p.field) for p in problems] == [("shot_010", "params.loras[0].path")]
    assert "lora file not found" in problems[0].message


def test_params_are_checked_against_the_schema_with_field_names():
    good = Recipe("p", 1, 37, image="a.png", params={"steps": 8, "sampler": "euler"})
    assert recipe_problems(good) == []
    bad = good.replace(params={"steps": 0, "sampler": "ddim", "stepz": 3})
    fields = {p.field: p.message for p in recipe_problems(bad)}
    assert set(fields) == {"params.steps", "params.sampler", "params.stepz"}
    assert "1..100" in fields["params.steps"] and "unipc" in fields["params.sampler"]


def test_settings_parse_command_line_text_by_type_and_range():
    steps = Setting("steps", "int", 25, minimum=1, maximum=100)
    assert steps.parse("8") == 8
    with pytest.raises(ValueError, match="steps"):
        steps.parse("0")
    with pytest.raises(ValueError, match="steps"):
        steps.parse("eight")
    assert Setting("t", "bool").parse("off") is False
    assert parse_loras("a.safetensors:0.5,b.safetensors") == [
        {"path": "a.safetensors", "weight": 0.5},
        {"path": "b.safetensors", "weight": 1.0},
    ]
    loras = Setting("loras", "lora_list", [])
    assert check_settings([loras], {"loras": [{"path": "x", "weight": 9}]}, "params", "g")[0].field == "params.loras"


def test_a_carry_across_generators_is_checked_by_validate_not_mid_render(tmp_path, monkeypatch):
    class OwnContextsOnly(SolidGenerator):
        id = "own_only"
        accepts_contexts = ("own_only",)

    use_fake_generator(monkeypatch, OwnContextsOnly())
    write_image(tmp_path / "start.png")
    project = new_project(tmp_path / "p.otio", rate=SIZE["fps"])
    add_clip(project, animatic_recipe(6))
    add_clip(project, animatic_recipe(6, seed=2, image=None).replace(generator="own_only"))
    problems = validate_project(project)
    assert [(p.clip, p.field) for p in problems] == [("shot_020", "context")]
    assert "made by animatic" in problems[0].message


def test_an_animatic_clip_continues_an_f1_style_foreign_clip_through_its_video(tmp_path, monkeypatch):
    """The animatic accepts any video: a carried clip after another generator's clip encodes its take."""
    use_fake_generator(monkeypatch, SolidGenerator())
    write_image(tmp_path / "start.png")
    project = new_project(tmp_path / "p.otio", rate=SIZE["fps"])
    add_clip(project, animatic_recipe(6).replace(generator="solid"))
    add_clip(project, animatic_recipe(6, seed=2, image=None))
    assert validate_project(project) == []
    render_project(project, plan_render(project))
    from tests.engine_helpers import take_frames

    first = take_frames(project, "shot_020")[0].astype(int)
    level = SolidGenerator.level(1, 5)  # the solid clip's last frame
    assert abs(first.mean() - level) < 3  # the animatic starts from it


def test_switching_generators_releases_the_other_ones_models(tmp_path, monkeypatch):
    generator = LoraSolid()
    monkeypatch.setitem(registry._LOADED, generator.id, generator)
    use_fake_generator(monkeypatch, generator)
    LoraSolid.released = 0
    write_image(tmp_path / "start.png")
    project = new_project(tmp_path / "p.otio", rate=SIZE["fps"])
    add_clip(project, animatic_recipe(4).replace(generator="lora_solid"))
    add_clip(project, animatic_recipe(4, seed=3))
    render_project(project, plan_render(project))
    assert LoraSolid.released == 1  # when the animatic clip started, not before the lora_solid one


def test_v1_generators_get_defaults_and_v2_ones_their_declarations():
    animatic = registry.load_generator("animatic")
    f1 = registry.load_generator("framepack_f1")
    assert capabilities.media_fields(SolidGenerator()) == ("image",)
    assert capabilities.accepts_contexts(SolidGenerator()) == ("solid",)
    assert capabilities.params_schema(SolidGenerator()) is None
    assert [s.name for s in capabilities.params_schema(animatic)] == ["zoom_per_second", "pan_per_second"]
    assert "preset" in [s.name for s in capabilities.options_schema(f1)]
    assert registry.media_fields("framepack_f1") == ("image", "params.loras[].path")  # LoRAs count by content


def test_no_generator_specific_code_in_the_cli_or_the_window():
    """Generators and their settings are reached only through the registry and schemas, never by name."""
    names = set(registry.generator_ids())
    settings = set()
    for gid in names:
        generator = registry.load_generator(gid)
        schemas = (capabilities.params_schema(generator) or (), capabilities.options_schema(generator))
        settings |= {s.name for schema in schemas for s in schema}
    common = {"preset", "device", "offload", "threads"}  # runtime options every torch generator shares: CLI flags
    words = names | settings - common
    pattern = re.compile(r"[\"'](" + "|".join(sorted(map(re.escape, words))) + r")[\"']")
    offenders = []
    for folder in ("fp_timeline/cli", "fp_timeline/ui"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
