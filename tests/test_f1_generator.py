"""The ``FramePackF1Generator`` around the loop: frames, params, presets, cancel, resume, three clips."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fp_timeline.engine.generator import CancelToken, Generator, RenderCancelled
from fp_timeline_plugins.framepack_f1.config import FramePackF1Config
from fp_timeline_plugins.framepack_f1.generator import FramePackF1Generator
from tests.f1_helpers import SIZE, ListSink, job, recipe, write_image

# ---------------------------------------------------------------------------------------- no torch needed


def test_generator_module_imports_without_torch():
    code = "import sys, fp_timeline_plugins.framepack_f1.generator; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_entry_point_gives_a_protocol_generator():
    from fp_timeline.engine.registry import load_generator

    generator = load_generator("framepack_f1")
    assert isinstance(generator, FramePackF1Generator) and isinstance(generator, Generator)


@pytest.mark.parametrize(
    ("frames", "carried", "expected"),
    [(1, False, 37), (37, False, 37), (60, False, 73), (73, False, 73), (5, True, 36), (36, True, 36), (80, True, 72)],
)
def test_snap_frames_to_whole_sections(frames, carried, expected):
    assert FramePackF1Generator().snap_frames(frames, carried) == expected


def test_config_round_trips_through_recipe_params():
    config = FramePackF1Config(latent_window_size=5, steps=12, sampler="euler", shift=3.0)
    assert FramePackF1Config.from_params(dataclasses.asdict(config)) == config
    assert FramePackF1Config.from_params({}) == FramePackF1Config()
    assert FramePackF1Config().steps == 25 and FramePackF1Config().distilled_guidance == 10.0


def test_validate_reports_each_bad_param_and_unsnapped_frames():
    gen = FramePackF1Generator()
    bad = recipe("x", 1, 1, steps=0, sampler="dpm", teacache=True, guidance_scale=3.0, colour="red")
    fields = {p.field for p in gen.validate(bad)}
    assert fields == {"params.steps", "params.sampler", "params.teacache", "params.colour"}
    assert gen.validate(recipe("x", 1, 2)) == []
    odd = recipe("x", 1, 2).replace(frames=30)
    assert [p.field for p in gen.validate(odd)] == ["frames"]
    assert [p.field for p in gen.validate(recipe("x", 1, 1).replace(fps=24.0))] == ["fps"]


def test_preset_choice(monkeypatch):
    from fp_timeline_plugins.framepack_f1.presets import resolve_preset

    monkeypatch.delenv("FP_TIMELINE_F1_PRESET", raising=False)
    assert resolve_preset({}) == "tiny"
    monkeypatch.setenv("FP_TIMELINE_F1_PRESET", "real")
    assert resolve_preset({}) == "real"
    assert resolve_preset({}, default="tiny") == "tiny"  # the constructor's choice beats the env var
    assert resolve_preset({"preset": "tiny"}, default="real") == "tiny"  # job options beat both
    with pytest.raises(ValueError, match="unknown FramePack F1 preset"):
        resolve_preset({"preset": "huge"})


def test_auto_preset_takes_real_only_when_cached(tmp_path, monkeypatch):
    from fp_timeline_plugins.framepack_f1 import real
    from fp_timeline_plugins.framepack_f1.presets import resolve_preset

    monkeypatch.setattr(real, "missing_weights", lambda: ["lllyasviel/flux_redux_bfl/image_encoder"])
    assert resolve_preset({"preset": "auto"}) == "toy"
    monkeypatch.setattr(real, "missing_weights", lambda: [])
    assert resolve_preset({"preset": "auto"}) == "real"


def test_missing_real_weights_give_one_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty_cache"))
    from fp_timeline_plugins.framepack_f1.real import REQUIRED, MissingWeightsError

    gen = FramePackF1Generator()
    j = job(tmp_path, "A", recipe("x", 1, 1), image=write_image(tmp_path / "start.png", 0), options={"preset": "real"})
    with pytest.raises(MissingWeightsError) as err:
        gen.render(j, ListSink(), lambda p: None, CancelToken())
    message = str(err.value)
    assert str(tmp_path / "empty_cache") in message
    for repo, sub in REQUIRED:
        assert (f"{repo}/{sub}" if sub else repo) in message


# ---------------------------------------------------------------------------------------- tiny renders

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def generator():
    torch.set_num_threads(2)
    return FramePackF1Generator(preset="tiny")


def _render(generator, j, progress=None, cancel=None):
    sink = ListSink()
    events = []

    def on_progress(p):
        events.append(p)
        if progress:
            progress(p)

    generator.render(j, sink, on_progress, cancel or CancelToken())
    return sink, events


def test_progress_reports_steps_sections_and_previews(generator, tmp_path):
    j = job(tmp_path, "A", recipe("a kite", 4, 2), image=write_image(tmp_path / "start.png", 4))
    sink, events = _render(generator, j)
    assert len(sink.frames) == 25 and sink.frames[0].shape == (SIZE, SIZE, 3)
    steps = [p for p in events if p.stage == "sample"]
    assert [p.step for p in steps] == list(range(1, 7)) and {p.total for p in steps} == {6}
    assert [p.section for p in steps] == [1, 1, 1, 2, 2, 2] and {p.sections for p in steps} == {2}
    assert all(p.preview.dtype == np.uint8 and p.preview.shape[2] == 3 for p in steps)
    assert "ETA" in steps[-1].message
    assert any("tiny preset" in p.message for p in events if p.total == 0)  # a notice, printed once by the CLI


def test_cancel_between_steps(generator, tmp_path):
    cancel = CancelToken()

    def cancel_in_second_section(p):
        if p.stage == "sample" and p.section == 2:
            cancel.cancel()

    j = job(tmp_path, "A", recipe("a kite", 4, 3), image=write_image(tmp_path / "start.png", 4))
    sink = ListSink()
    with pytest.raises(RenderCancelled):
        generator.render(j, sink, cancel_in_second_section, cancel)
    assert 0 < len(sink.frames) < 25  # stopped inside section 2
    assert not j.context_path.exists()
    assert len(list(j.work_dir.glob("f1_section_*.safetensors"))) == 1  # section 1 is checkpointed


class _Killed(Exception):
    """Stands in for the process dying: nothing after it runs, only files written so far remain."""


@pytest.mark.slow
def test_resume_after_kill_equals_uninterrupted_render(generator, tmp_path):
    image = write_image(tmp_path / "start.png", 5)
    rec = recipe("a train crosses a bridge", 8, 3, carry=False)
    full, _ = _render(generator, job(tmp_path / "full", "A", rec, image=image))

    def die_in_third_section(p):
        if p.stage == "sample" and p.section == 3:
            raise _Killed

    killed = job(tmp_path / "killed", "A", rec, image=image)
    with pytest.raises(_Killed):
        _render(generator, killed, progress=die_in_third_section)
    resumed, events = _render(generator, killed)  # fresh sink, same work_dir
    assert [p.stage for p in events].count("resume") == 2
    assert {p.section for p in events if p.stage == "sample"} == {3}  # sections 1-2 were not re-sampled
    np.testing.assert_array_equal(np.stack(resumed.frames), np.stack(full.frames))
    from fp_timeline_plugins.framepack_f1.context import PackedContext

    a = PackedContext.load(killed.context_path)
    b = PackedContext.load(tmp_path / "full" / "A.context.safetensors")
    assert torch.equal(a.history, b.history) and torch.equal(a.rng_state, b.rng_state)


def test_checkpoints_of_another_recipe_are_ignored(generator, tmp_path):
    image = write_image(tmp_path / "start.png", 5)
    first = job(tmp_path, "A", recipe("one", 8, 1), image=image)
    _render(generator, first)
    other = job(tmp_path, "A", recipe("two", 8, 1), image=image)
    other = type(other)(**{**other.__dict__, "recipe_hash": "another-hash"})
    _, events = _render(generator, other)
    assert "resume" not in [p.stage for p in events]


@pytest.mark.slow
def test_three_clip_carried_chain(generator, tmp_path):
    """fresh A -> carried B (own noise) -> carried C (continued noise, new anchor image)."""
    import time

    start = time.monotonic()
    a = job(tmp_path, "A", recipe("a cat sleeps", 1, 2), image=write_image(tmp_path / "start.png", 6))
    b = job(tmp_path, "B", recipe("the cat wakes up", 2, 2, carry=True), incoming=a.context_path)
    c_rec = recipe("the cat jumps", 3, 1, carry=True, noise="continue")
    c = job(tmp_path, "C", c_rec, image=write_image(tmp_path / "new_anchor.png", 7), incoming=b.context_path)
    counts = [len(_render(generator, j)[0].frames) for j in (a, b, c)]
    assert counts == [25, 24, 12]
    from fp_timeline_plugins.framepack_f1.context import PackedContext

    ctx_a, ctx_b, ctx_c = (PackedContext.load(j.context_path) for j in (a, b, c))
    assert [ctx.pixel_frames for ctx in (ctx_a, ctx_b, ctx_c)] == [25, 49, 61]
    assert torch.equal(ctx_a.anchor, ctx_b.anchor) and not torch.equal(ctx_b.anchor, ctx_c.anchor)
    print(f"three-clip tiny chain: {time.monotonic() - start:.1f}s")


def test_context_from_foreign_video_then_carry(generator, tmp_path):
    rng = np.random.default_rng(9)
    video = rng.integers(0, 255, (30, 48, 80, 3), dtype=np.uint8)  # another size: fitted to the recipe's
    rec = recipe("continue this", 4, 1, carry=True)
    blob = generator.context_from_frames(video, rec, tmp_path / "video.context.safetensors", {"device": "cpu"})
    from fp_timeline_plugins.framepack_f1.context import PackedContext

    ctx = PackedContext.load(blob.path)
    assert ctx.history.shape == (1, 16, 19, SIZE // 8, SIZE // 8) and ctx.pixel_frames == 30 and ctx.latent_frames == 8
    assert float(ctx.history[:, :, -8:].abs().sum()) > 0 and float(ctx.history[:, :, :-8].abs().sum()) == 0
    # The anchor is the video's first frame, encoded alone like any F1 start image.
    from fp_timeline_plugins.framepack_f1.encoders import fit_image, vae_encode

    first = fit_image(video[0], SIZE, SIZE)[None]
    components = generator.components({"device": "cpu"})
    assert torch.equal(ctx.anchor, vae_encode(components, first, rec.seed))
    sink, _ = _render(generator, job(tmp_path, "B", rec, incoming=blob.path))
    assert len(sink.frames) == 12


def test_bf16_transformer_keeps_float32_output_projection():
    from fp_timeline_plugins.framepack_f1.presets import load_components

    c = load_components("tiny", torch.device("cpu"), torch.bfloat16)
    assert c.transformer.proj_out.weight.dtype == torch.float32
    assert c.transformer.x_embedder.proj.weight.dtype == torch.bfloat16
    from fp_timeline_plugins.framepack_f1.layout import section_indices

    idx = section_indices(1)
    with torch.no_grad():
        out = c.transformer(
            hidden_states=torch.zeros(1, 16, 1, 8, 8, dtype=torch.bfloat16),
            timestep=torch.tensor([500.0], dtype=torch.bfloat16),
            encoder_hidden_states=torch.zeros(1, 4, 16, dtype=torch.bfloat16),
            encoder_attention_mask=torch.ones(1, 4, dtype=torch.bool),
            pooled_projections=torch.zeros(1, 8, dtype=torch.bfloat16),
            image_embeds=torch.zeros(1, 16, 32, dtype=torch.bfloat16),
            guidance=torch.tensor([10000.0], dtype=torch.bfloat16),
            indices_latents=idx.latents,
            latents_clean=torch.zeros(1, 16, 2, 8, 8, dtype=torch.bfloat16),
            indices_latents_clean=idx.clean,
            latents_history_2x=torch.zeros(1, 16, 2, 8, 8, dtype=torch.bfloat16),
            indices_latents_history_2x=idx.history_2x,
            latents_history_4x=torch.zeros(1, 16, 16, 8, 8, dtype=torch.bfloat16),
            indices_latents_history_4x=idx.history_4x,
            return_dict=False,
        )[0]
    assert out.dtype == torch.float32


@pytest.mark.slow
def test_offload_modes_render_the_same_frames(generator, tmp_path):
    """On CPU the moves are no-ops, but every stage must run through the offload plumbing unchanged."""
    image = write_image(tmp_path / "start.png", 12)
    rec = recipe("a windmill", 5, 1)
    plain, _ = _render(generator, job(tmp_path / "none", "A", rec, image=image))
    offloaded, _ = _render(generator, job(tmp_path / "model", "A", rec, image=image, options={"offload": "model"}))
    np.testing.assert_array_equal(np.stack(plain.frames), np.stack(offloaded.frames))
    with pytest.raises(ValueError, match="unknown offload mode"):
        generator.components({"offload": "everything"})


@pytest.mark.slow
def test_teacache_is_lossy_opt_in_and_leaves_no_state(generator, tmp_path):
    image = write_image(tmp_path / "start.png", 13)
    plain = recipe("a comet", 5, 2, steps=8)
    cached = recipe("a comet", 5, 2, steps=8, teacache=True, teacache_threshold=0.5)
    before, _ = _render(generator, job(tmp_path / "a", "A", plain, image=image))
    skipped, _ = _render(generator, job(tmp_path / "b", "A", cached, image=image))
    after, _ = _render(generator, job(tmp_path / "c", "A", plain, image=image))
    np.testing.assert_array_equal(np.stack(before.frames), np.stack(after.frames))  # hooks removed again
    assert not np.array_equal(np.stack(before.frames), np.stack(skipped.frames))  # it did skip work


@pytest.mark.slow
def test_resume_after_a_real_process_kill(generator, tmp_path):
    import json

    from tests.f1_helpers import KILLED_EXIT, job_to_dict

    image = write_image(tmp_path / "start.png", 14)
    rec = recipe("a bird takes off", 9, 3)
    full, _ = _render(generator, job(tmp_path / "full", "A", rec, image=image))
    killed = job(tmp_path, "A", rec, image=image)
    spec = tmp_path / "jobs.json"
    spec.write_text(json.dumps([{"job": job_to_dict(killed), "out": str(tmp_path / "A.npz"), "kill_in_section": 3}]))
    repo = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-m", "tests.f1_helpers", "render", str(spec)], cwd=repo)
    assert done.returncode == KILLED_EXIT and not killed.context_path.exists()
    resumed, events = _render(generator, killed)
    assert {p.section for p in events if p.stage == "sample"} == {3}
    np.testing.assert_array_equal(np.stack(resumed.frames), np.stack(full.frames))
