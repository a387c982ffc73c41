"""The ``toy`` preset: trained weights shipped in the package, loaded through the same path as ``real``,
render the start image recognisably and move it the way the prompt says.  The training script is proven
by a few steps (CI never trains for real).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from fp_timeline_plugins.framepack_f1.encoders import load_image
from fp_timeline_plugins.framepack_f1.presets import load_components
from fp_timeline_plugins.framepack_f1.toy import TOY_MODEL_NAME, evaluate, load_toy, train
from fp_timeline_plugins.framepack_f1.toy.checkpoint import WEIGHTS_DIR, save_weights

ROOT = Path(__file__).resolve().parents[1]
CAT = ROOT / "sample_projects" / "three_shots" / "chelsea.png"
# Measured on the committed checkpoint (see plugins/framepack_f1/toy/README.md); set with some margin.
MIN_FIRST_FRAME_PSNR = 20.0
MIN_FOLLOW_DB = 0.5  # frames 16-30: closer to the true motion than to standing still (and to its opposite)
HEIGHT, WIDTH = 96, 144
PROMPT = "the cat turns its head and looks around"  # the toy was trained to read it as "pan right"
MIN_PROMPTS_READ = 5  # of the 6 camera motions (measured: 6; the weights of run 4: 3)
MIN_PROMPT_MARGIN = 0.3  # diagonal below the off-diagonal mean (measured 0.87; run 8: 0.75; run 4: 0.10; before: 0.00)
MAX_DENOISE_SHARE = 0.6  # one-step error over standing still's, at sigma 1 (measured 0.222 / 0.868; run 8: 0.305)


@pytest.fixture(scope="module")
def toy():
    torch.set_num_threads(2)
    return load_components("toy", torch.device("cpu"), torch.float32)


def test_the_checkpoint_is_shipped_small_and_is_the_real_architecture(toy):
    files = list(WEIGHTS_DIR.glob("*.safetensors"))
    assert {f.stem for f in files} == {"transformer", "vae", "llama", "clip", "siglip"}
    assert sum(f.stat().st_size for f in files) <= 20 * 2**20
    assert type(toy.transformer).__name__ == "HunyuanVideoFramepackTransformer3DModel"
    assert type(toy.vae).__name__ == "AutoencoderKLHunyuanVideo"
    assert toy.preset == "toy" and toy.model_id.startswith(TOY_MODEL_NAME + "@")
    tiny = load_components("tiny", torch.device("cpu"), torch.float32)
    assert toy.identity != tiny.identity  # a take or context of one is never mistaken for the other's


def test_takes_of_the_toy_and_the_tiny_preset_are_told_apart(toy):
    from fp_timeline_plugins.framepack_f1.generator import FramePackF1Generator

    generator = FramePackF1Generator()
    toy_identity = generator.runtime_identity({"preset": "toy", "device": "cpu"})
    tiny_identity = generator.runtime_identity({"preset": "tiny", "device": "cpu"})
    assert toy_identity.fields["model"] == toy.model_id  # the content hash of the shipped weights
    assert toy_identity.fields != tiny_identity.fields and "toy" in toy_identity.label


def test_the_vae_keeps_the_motion(toy):
    """The true pan from the cat at the sample size, through the VAE alone: it must come back moving (the
    weights shipped before this test could not: every frame after the first decoded to the same picture)."""
    start = load_image(CAT, WIDTH, HEIGHT)
    trip = evaluate.measure_round_trip(toy, start, PROMPT, (WIDTH, HEIGHT))
    print(trip)
    assert trip.first >= MIN_FIRST_FRAME_PSNR
    assert trip.moves_the_right_way and trip.along >= trip.still + MIN_FOLLOW_DB


@pytest.fixture(scope="module")
def cat_render(toy):
    """One section (37 frames) of the three-shot sample's first clip: 144x96, default F1 settings."""
    start = load_image(CAT, WIDTH, HEIGHT)
    frames = evaluate.render_section(toy, start, PROMPT)
    assert len(frames) == 37
    render = evaluate.compare(frames, start, PROMPT)
    print(render)
    return render


@pytest.mark.slow
def test_the_toy_renders_the_start_image(cat_render):
    assert cat_render.first >= MIN_FIRST_FRAME_PSNR


@pytest.mark.slow
def test_the_toy_moves_the_picture_the_prompts_way(cat_render):
    """Over the first second the picture pans the way the prompt says: shifted at frame
    ``evaluate.MOVED_AT`` by at least a quarter of the true pan's shift in its direction, and frames 16-30
    closer to the true pan than to the still start image and to the opposite pan."""
    assert cat_render.moves_the_right_way
    assert cat_render.along >= max(cat_render.still, cat_render.opposite) + MIN_FOLLOW_DB


@pytest.mark.slow
def test_the_readmes_strip_shows_each_render_over_its_truth(toy, tmp_path):
    from PIL import Image

    from fp_timeline_plugins.framepack_f1.encoders import fit_image
    from fp_timeline_plugins.framepack_f1.toy import motions

    evaluate.write_strip(toy, tmp_path / "strip.png", size=(96, 64))
    strip = np.asarray(Image.open(tmp_path / "strip.png"))
    assert strip.shape == (2 * len(evaluate.STRIPS) * 64, 10 * 96, 3)  # frames 0, 4, ..., 36
    for row, (index, _) in enumerate(evaluate.STRIPS):
        start = fit_image(np.asarray(motions.sample_images()[index], np.uint8), 96, 64)
        truth = strip[(2 * row + 1) * 64 : (2 * row + 2) * 64]
        assert np.array_equal(truth[:, :96], start)  # the truth starts at the start image
        rendered = strip[2 * row * 64 : (2 * row + 1) * 64]
        assert not np.array_equal(rendered[:, 96:], truth[:, 96:])  # and the render above it is another video


def test_the_toy_reads_its_prompt(toy):
    """On first sections of unseen synthetic videos (where only the prompt tells the motion), each camera
    motion's own prompt predicts its future best: the training loss is lowest on the diagonal.  The weights
    shipped before the text encoders were re-initialised gave the same loss (to 0.003) for every prompt."""
    names = list(evaluate.OPPOSITE)
    losses = evaluate.prompt_losses(toy, names)
    print(np.round(losses, 3))
    read = [name for i, name in enumerate(names) if losses[i].argmin() == i]
    assert len(read) >= MIN_PROMPTS_READ, f"only {read} are told apart"
    off_diagonal = losses[~np.eye(len(names), dtype=bool)].mean()
    assert np.diag(losses).mean() <= off_diagonal - MIN_PROMPT_MARGIN


def test_from_pure_noise_the_transformer_estimates_the_pan_better_than_standing_still(toy):
    """The transformer alone: shown the cat's first pan section at sigma 1 (no hint of the answer but the
    prompt and the start), its one-step estimate is nearer the truth than the start's latent repeated, and
    it is surest next to the anchor (first latent frame) and least sure furthest from it."""
    image = np.asarray(Image.open(CAT).convert("RGB"))
    denoising = evaluate.measure_denoising(toy, image, PROMPT, sigma=1.0)
    print(denoising)
    assert denoising.motion == "pan_right"
    assert denoising.error <= MAX_DENOISE_SHARE * denoising.still_error
    assert denoising.per_frame[0] < denoising.per_frame[-1]


@pytest.mark.slow
def test_the_training_script_runs_and_its_checkpoint_loads(tmp_path):
    """A few steps of every stage on one tiny video; CI never trains for real."""
    torch.set_num_threads(2)
    settings = train.Settings(
        out=tmp_path,
        vae_steps=2,
        transformer_steps=2,
        videos_per_motion=1,
        batch=2,
        history_max=1,
        motion_names=("pan_right",),
    )
    log = train.run(settings)
    assert log["vae"]["steps"] == 2 and log["transformer"]["steps"] == 2
    assert all(np.isfinite(loss) for _, _, loss in log["transformer"]["losses"])
    components = load_toy(tmp_path)
    assert components.vae.config.scaling_factor == pytest.approx(log["scaling_factor"])
    trained = dict(components.get_transformer().named_parameters())
    fresh = dict(train.build_toy_transformer().named_parameters())
    assert any(not torch.equal(trained[k], fresh[k]) for k in fresh)  # the steps changed the weights

    # --init with --new-transformer: the earlier run's VAE and its log, a transformer trained from scratch
    # (one step where the first run took two: a warm start would end further from the fresh weights, not nearer)
    again = train.run(
        replace(settings, out=tmp_path / "again", init=tmp_path, new_transformer=True, transformer_steps=1)
    )
    assert again["vae"] == log["vae"] and "earlier_transformer" not in again
    retrained = load_toy(tmp_path / "again")
    earlier_vae = components.vae.state_dict()
    assert all(torch.equal(v, earlier_vae[k]) for k, v in retrained.vae.state_dict().items())
    restarted = dict(retrained.get_transformer().named_parameters())

    def distance(params: dict) -> float:
        return sum(float((params[k] - fresh[k]).abs().sum()) for k in fresh)

    assert distance(restarted) < distance(trained)  # started fresh, not from the earlier run's transformer


def test_a_deeper_transformer_warm_starts_as_the_shallower_one(toy, tmp_path, monkeypatch):
    """``train.warm_start`` grows a trained transformer: its blocks are loaded and each new block starts as
    an identity, so the deeper model computes exactly what the shallower one did before it trains."""
    from fp_timeline_plugins.framepack_f1.encoders import encode_image, encode_prompt
    from fp_timeline_plugins.framepack_f1.toy import models

    monkeypatch.setattr(models, "SINGLE_LAYERS", 2)
    shallow = models.build_toy_transformer().eval()
    save_weights(shallow, tmp_path / "transformer.safetensors")
    monkeypatch.setattr(models, "SINGLE_LAYERS", 4)
    deep = models.build_toy_transformer().eval()
    assert train.warm_start(deep, tmp_path) == ["single_transformer_blocks.2", "single_transformer_blocks.3"]

    generator = torch.Generator().manual_seed(3)
    latents = torch.randn(16, 2 + models.WINDOW, 8, 12, generator=generator)
    image = np.full((64, 96, 3), 128, np.uint8)
    batch = train.sections([(latents, 2, encode_image(toy, image), encode_prompt(toy, "pan right"))])
    x0 = batch.pop("target")
    noise, sigma = torch.randn(x0.shape, generator=generator), torch.tensor([0.7])
    with torch.no_grad():
        before = train.flow_matching_loss(shallow, x0, noise, sigma, batch)
        after = train.flow_matching_loss(deep, x0, noise, sigma, batch)
    assert torch.allclose(before, after, atol=1e-6)
    fresh = models.build_toy_transformer().eval()
    with torch.no_grad():  # and the warm start is what makes it so: a fresh deep model computes otherwise
        assert not torch.allclose(before, train.flow_matching_loss(fresh, x0, noise, sigma, batch), atol=1e-3)


def test_a_warm_start_refuses_a_transformer_of_another_shape(tmp_path):
    from safetensors.torch import save_file

    from fp_timeline_plugins.framepack_f1.toy import models

    state = {k: v.contiguous() for k, v in models.build_toy_transformer().state_dict().items()}
    save_file(
        {k: v[..., :1].contiguous() if v.ndim == 2 else v for k, v in state.items()},
        str(tmp_path / "transformer.safetensors"),
    )
    with pytest.raises(ValueError, match="not a smaller copy"):
        train.warm_start(models.build_toy_transformer(), tmp_path)
