"""A take's identity covers the model that made it: another model's take is stale, with that reason."""

from __future__ import annotations

import pytest

from fp_timeline.engine.generator import RuntimeIdentity
from fp_timeline.engine.planner import plan_render
from fp_timeline.engine.renderer import render_job, render_project
from fp_timeline.engine.status import project_status, stale_reasons
from fp_timeline.project.document import load_project
from fp_timeline.project.errors import ProjectError
from fp_timeline.project.hashing import ClipState
from fp_timeline.project.takes import active_take
from tests.engine_helpers import SolidGenerator, chain_project, use_fake_generator


class WeightedSolid(SolidGenerator):
    """The solid generator, as if its pixels depended on which weights ``options["weights"]`` picks."""

    id = "animatic"  # stands in for the clips of ``chain_project``

    def runtime_identity(self, options):
        weights = options.get("weights", "small")
        return RuntimeIdentity(label=f"the {weights} weights", fields={"weights": weights})


@pytest.fixture
def small_rendered(tmp_path, monkeypatch):
    use_fake_generator(monkeypatch, WeightedSolid())
    project = chain_project(tmp_path)
    render_project(project, plan_render(project, options={"weights": "small"}), {"weights": "small"})
    return load_project(project.path)


def test_takes_record_the_model_and_the_recipe_they_were_made_from(small_rendered):
    take = active_take(small_rendered.clip("shot_020"))
    assert take.model == "the small weights"
    assert take.identity == RuntimeIdentity("x", {"weights": "small"}).digest
    assert take.seed == small_rendered.recipe(small_rendered.clip("shot_020")).seed == 2
    assert take.recipe == small_rendered.recipe(small_rendered.clip("shot_020")).to_metadata()


def test_a_take_made_by_another_model_is_stale_with_the_reason(small_rendered):
    assert plan_render(small_rendered, options={"weights": "small"}) == []
    states = {row.clip: row.state for row in project_status(small_rendered, {"weights": "large"})}
    assert set(states.values()) == {ClipState.STALE}
    assert [job.clip for job in plan_render(small_rendered, options={"weights": "large"})] == [
        "shot_010",
        "shot_020",
        "shot_030",
    ]
    reasons = stale_reasons(small_rendered, {"weights": "large"})
    assert reasons[0] == "shot_010: made by the small weights; this render uses the large weights"
    assert {row.take_model for row in project_status(small_rendered, {"weights": "large"})} == {"the small weights"}


def test_render_refuses_a_job_planned_for_another_model(small_rendered):
    job = plan_render(small_rendered, ["shot_010"], options={"weights": "large"})[0]
    with pytest.raises(ProjectError, match="planned for the large weights, but this render uses the small"):
        render_job(small_rendered, job, {"weights": "small"})


def test_framepack_identity_names_preset_model_and_dtype_without_loading_models():
    from fp_timeline_plugins.framepack_f1.generator import FramePackF1Generator

    f1 = FramePackF1Generator()
    tiny = f1.runtime_identity({"preset": "tiny", "device": "cpu"})
    real = f1.runtime_identity({"preset": "real", "device": "cpu"})
    bf16 = f1.runtime_identity({"preset": "real", "device": "cpu", "dtype": "bfloat16"})
    assert tiny.label == "the tiny preset (float32)" and real.label == "the real model (float32)"
    assert real.fields["model"] == "lllyasviel/FramePack_F1_I2V_HY_20250503"
    assert len({tiny.digest, real.digest, bf16.digest}) == 3
    assert f1.runtime_identity({"preset": "tiny", "device": "cpu"}) == tiny
    assert f1._components == {}  # nothing was loaded
    with pytest.raises(ValueError, match="unknown FramePack F1 preset"):
        f1.runtime_identity({"preset": "huge"})


def test_a_bad_preset_is_a_clear_project_error(small_rendered, monkeypatch):
    from fp_timeline.engine import registry
    from fp_timeline_plugins.framepack_f1.generator import FramePackF1Generator

    monkeypatch.setattr(registry, "load_generator", lambda gid: FramePackF1Generator())
    with pytest.raises(ProjectError, match="framepack_f1: unknown FramePack F1 preset 'huge'"):
        project_status(small_rendered, {"preset": "huge"})
