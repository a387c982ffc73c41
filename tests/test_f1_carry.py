"""(c) Carry across a cut: A then B from A's saved context (in a fresh process) == one continuous render.

Also: the context has a fixed size, and a context from another model or resolution is refused.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")

from fp_timeline.engine.generator import CancelToken  # noqa: E402
from fp_timeline_plugins.framepack_f1.config import FramePackF1Config  # noqa: E402
from fp_timeline_plugins.framepack_f1.context import ContextMismatchError, PackedContext  # noqa: E402
from fp_timeline_plugins.framepack_f1.encoders import load_image  # noqa: E402
from fp_timeline_plugins.framepack_f1.generator import FramePackF1Generator  # noqa: E402
from fp_timeline_plugins.framepack_f1.session import ChainRenderer, ClipSpec  # noqa: E402
from tests.f1_helpers import SIZE, ListSink, job, job_to_dict, recipe, write_image  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def generator():
    torch.set_num_threads(2)
    return FramePackF1Generator(preset="tiny")


def _continuous(generator, image, clips):
    """One renderer over all clips (prompt switched at each cut): per clip, its latents and frames."""
    components = generator.components({"preset": "tiny", "device": "cpu"})
    renderer = ChainRenderer(components, SIZE, SIZE)
    out = []
    for spec in clips:
        renderer.begin_clip(spec)
        latents, frames = [], []
        for _ in range(spec.sections):
            lat, fr = renderer.run_section()
            latents.append(lat)
            frames += fr
        frames += renderer.end_clip()
        out.append((latents, frames))
    return out, renderer.context()


def _render_in_subprocess(tmp: Path, jobs: list) -> list[dict]:
    """Render ``jobs`` in a fresh interpreter; per job its frames and section latents."""
    spec = tmp / "jobs.json"
    items = [{"job": job_to_dict(j), "out": str(tmp / f"{j.clip}.npz")} for j in jobs]
    spec.write_text(json.dumps(items))
    subprocess.run([sys.executable, "-m", "tests.f1_helpers", "render", str(spec)], check=True, cwd=REPO)
    return [dict(np.load(item["out"])) for item in items]


@pytest.mark.slow
def test_split_render_in_fresh_process_equals_continuous(generator, tmp_path):
    image_path = write_image(tmp_path / "start.png", 1)
    rec_a = recipe("a red fox runs through snow", seed=11, sections=2)
    config = FramePackF1Config.from_params(rec_a.params)
    noises = ("own", "continue")
    rec_b = {n: recipe("the fox leaps over a log", seed=22, sections=2, carry=True, noise=n) for n in noises}

    # Split: A here; B (under both noise modes) in a fresh interpreter that only gets A's context file.
    sink_a = ListSink()
    job_a = job(tmp_path, "A", rec_a, image=image_path)
    generator.render(job_a, sink_a, lambda p: None, CancelToken())
    jobs_b = [job(tmp_path, f"B_{n}", rec_b[n], incoming=job_a.context_path) for n in noises]
    split_b = dict(zip(noises, _render_in_subprocess(tmp_path, jobs_b), strict=True))
    assert len(sink_a.frames) == 25 and all(len(split_b[n]["frames"]) == 24 for n in noises)

    image = load_image(image_path, SIZE, SIZE)
    for noise in noises:
        # Continuous: one renderer, prompt switched at the cut.
        (cont_a, cont_b), final = _continuous(
            generator,
            image,
            [
                ClipSpec(rec_a.prompt, rec_a.seed, 2, config, image=image),
                ClipSpec(rec_b[noise].prompt, rec_b[noise].seed, 2, config, noise=noise),
            ],
        )
        np.testing.assert_array_equal(np.stack(sink_a.frames), np.stack(cont_a[1]))
        np.testing.assert_array_equal(split_b[noise]["latents"], np.stack([t.numpy() for t in cont_b[0]]))
        np.testing.assert_array_equal(split_b[noise]["frames"], np.stack(cont_b[1]))
        # B's outgoing context equals the continuous renderer's state too.
        ctx_b = PackedContext.load(tmp_path / f"B_{noise}.context.safetensors")
        assert torch.equal(ctx_b.history, final.history) and torch.equal(ctx_b.rng_state, final.rng_state)
        assert ctx_b.pixel_frames == 49 and ctx_b.latent_frames == 1 + 4 * 3

    # The two noise modes really draw different noise for B (so the checks above cover both paths).
    assert not np.array_equal(split_b["own"]["latents"], split_b["continue"]["latents"])


def test_context_size_does_not_grow_with_length(generator, tmp_path):
    image_path = write_image(tmp_path / "start.png", 2)
    sizes = {}
    for sections in (1, 4):
        j = job(tmp_path, f"len{sections}", recipe("waves", seed=3, sections=sections), image=image_path)
        generator.render(j, ListSink(), lambda p: None, CancelToken())
        ctx = PackedContext.load(j.context_path)
        sizes[sections] = (ctx.nbytes(), j.context_path.stat().st_size)
        assert ctx.history.shape[2] == 19
    assert sizes[1] == sizes[4]


def test_mismatched_context_is_refused_naming_the_file(generator, tmp_path):
    image_path = write_image(tmp_path / "start.png", 3)
    j = job(tmp_path, "A", recipe("a tree", seed=1, sections=1), image=image_path)
    generator.render(j, ListSink(), lambda p: None, CancelToken())
    ctx = PackedContext.load(j.context_path)

    other_model = tmp_path / "other_model.safetensors"
    PackedContext(**{**ctx.__dict__, "model_id": "someone/else"}).save(other_model)
    with pytest.raises(ContextMismatchError, match="other_model.safetensors.*someone/else"):
        generator.render(
            job(tmp_path, "B", recipe("x", 2, 1, carry=True), incoming=other_model), ListSink(), print, CancelToken()
        )

    wide = recipe("x", 2, 1, carry=True).replace(width=128)
    with pytest.raises(ContextMismatchError, match=r"A\.context\.safetensors.*32x32.*128x32"):
        generator.render(job(tmp_path, "C", wide, incoming=j.context_path), ListSink(), print, CancelToken())

    not_a_context = tmp_path / "junk.safetensors"
    not_a_context.write_bytes(b"not safetensors")
    with pytest.raises(ContextMismatchError, match="junk.safetensors"):
        PackedContext.load(not_a_context)


@pytest.mark.parametrize(
    "field, shape",
    [("history", (1, 16, 7, 4, 4)), ("anchor", (1, 16, 1, 9, 4)), ("decode_tail", (16, 4, 4)), ("image_embeds", (4,))],
)
def test_a_context_with_wrong_shaped_tensors_is_refused_before_sampling(generator, tmp_path, field, shape):
    image_path = write_image(tmp_path / "start.png", 3)
    j = job(tmp_path, "A", recipe("a tree", seed=1, sections=1), image=image_path)
    generator.render(j, ListSink(), lambda p: None, CancelToken())
    ctx = PackedContext.load(j.context_path)
    damaged = tmp_path / "damaged.safetensors"
    PackedContext(**{**ctx.__dict__, field: torch.zeros(shape)}).save(damaged)
    with pytest.raises(ContextMismatchError, match=f"damaged.safetensors.*{field}"):
        generator.render(
            job(tmp_path, "B", recipe("x", 2, 1, carry=True), incoming=damaged), ListSink(), print, CancelToken()
        )
