"""(b) With the Euler sampler our F1 loop equals diffusers' HunyuanVideoFramepackPipeline (vanilla mode).

Same tiny components, steps, seed and conditioning.  Two pipeline quirks are handled explicitly:
- it VAE-encodes the start image with the seeded generator before the first section's noise, so we pass
  the start latent in (``image_latents``) and the generator is only used for section noise;
- it runs ceil(num_frames / ((L - 1) * 4 + 1)) sections, and uses ``mu`` only when the scheduler has
  ``use_dynamic_shifting=True`` (else its static ``shift``).
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
diffusers = pytest.importorskip("diffusers")

from fp_timeline_plugins.framepack_f1.config import FramePackF1Config  # noqa: E402
from fp_timeline_plugins.framepack_f1.generator import FramePackF1Generator  # noqa: E402
from fp_timeline_plugins.framepack_f1.loop import (  # noqa: E402
    Conditioning,
    LoopState,
    TextConditioning,
    draw_section_noise,
    sample_section,
)

SEED, SECTIONS, STEPS, WINDOW, SIZE = 7, 3, 4, 3, 64
PROMPT = "a lighthouse in a storm"
TEMPLATE = {"template": "{}", "crop_start": 0}  # the tiny tokenizer has no Llama-3 header to crop


class _StartLatentPipeline(diffusers.HunyuanVideoFramepackPipeline):
    """The pipeline with ``image_latents`` supplied (it refuses image + image_latents together, but needs
    the image for the SigLIP embedding), so the seeded generator is spent on section noise only."""

    start_latent: torch.Tensor | None = None

    def prepare_image_latents(self, image, dtype=None, device=None, generator=None, latents=None):
        return super().prepare_image_latents(image, dtype, device, generator, latents=self.start_latent)


@pytest.fixture(scope="module")
def setup():
    from diffusers import FlowMatchEulerDiscreteScheduler
    from PIL import Image

    torch.set_num_threads(2)
    c = FramePackF1Generator().components({"preset": "tiny", "device": "cpu"})
    llama, clip = c.get_text_encoders()
    rng = np.random.default_rng(0)
    image = Image.fromarray(rng.integers(0, 255, (4, 4, 3), dtype=np.uint8)).resize((SIZE, SIZE))

    def pipeline(scheduler):
        pipe = _StartLatentPipeline(
            transformer=c.transformer,
            vae=c.vae,
            scheduler=scheduler,
            text_encoder=llama,
            tokenizer=c.tokenizer,
            text_encoder_2=clip,
            tokenizer_2=c.tokenizer_2,
            image_encoder=c.image_encoder,
            feature_extractor=c.feature_extractor,
        )
        pipe.set_progress_bar_config(disable=True)
        return pipe

    dynamic = FlowMatchEulerDiscreteScheduler(shift=7.0, use_dynamic_shifting=True)
    static = FlowMatchEulerDiscreteScheduler(shift=7.0)
    return c, image, {"dynamic": pipeline(dynamic), "static": pipeline(static)}


def _pipeline_sections(pipe, image, start_latent):
    pipe.start_latent = start_latent
    window_frames = (WINDOW - 1) * 4 + 1
    out = pipe(
        image=image,
        prompt=PROMPT,
        prompt_template=TEMPLATE,
        max_sequence_length=32,
        height=SIZE,
        width=SIZE,
        num_frames=SECTIONS * window_frames,  # -> exactly SECTIONS sections
        latent_window_size=WINDOW,
        num_inference_steps=STEPS,
        guidance_scale=10.0,
        sampling_type="vanilla",
        generator=torch.Generator().manual_seed(SEED),
        output_type="latent",
    )
    return out.frames  # one real history (start latent first) per section


def _conditioning(pipe, image) -> Conditioning:
    """The pipeline's own conditioning, so only the loops are compared."""
    embeds, pooled, mask = pipe.encode_prompt(
        prompt=PROMPT, prompt_template=TEMPLATE, device="cpu", max_sequence_length=32
    )
    image_embeds = pipe.encode_image(pipe.video_processor.preprocess(image, SIZE, SIZE), device="cpu")
    return Conditioning(TextConditioning(embeds.float(), mask.bool(), pooled.float()), image_embeds.float())


def _our_sections(c, cond, start_latent, config) -> list[torch.Tensor]:
    """New latents of each section, (1, C, L, h, w)."""
    state, rng, out = LoopState.start(start_latent), torch.Generator().manual_seed(SEED), []
    for _ in range(SECTIONS):
        noise = draw_section_noise(rng, c.latent_channels, config, SIZE // 8, SIZE // 8)
        out.append(sample_section(c.transformer, state, cond, noise, config))
        state = state.appended(out[-1])
    return out


@pytest.mark.slow
@pytest.mark.parametrize(("mode", "shift"), [("dynamic", None), ("static", 7.0)])
def test_euler_loop_matches_diffusers_vanilla_pipeline(setup, mode, shift):
    c, image, pipes = setup
    pipe = pipes[mode]
    start_latent = torch.randn(1, 16, 1, SIZE // 8, SIZE // 8, generator=torch.Generator().manual_seed(99))
    expected = _pipeline_sections(pipe, image, start_latent)
    assert len(expected) == SECTIONS

    cond = _conditioning(pipe, image)
    euler = FramePackF1Config(latent_window_size=WINDOW, steps=STEPS, sampler="euler", shift=shift)
    history = start_latent
    for k, new in enumerate(_our_sections(c, cond, start_latent, euler)):
        history = torch.cat([history, new], dim=2)
        assert history.shape == expected[k].shape
        diff = (history - expected[k]).abs().max().item()
        print(f"{mode}: section {k} max abs diff {diff:.2e}")
        assert diff < 1e-4, f"{mode}: section {k} differs by {diff:.2e}"

    # The comparison can fail: the default UniPC loop is far from the pipeline's Euler one.
    unipc = FramePackF1Config(latent_window_size=WINDOW, steps=STEPS, shift=shift)
    last = _our_sections(c, cond, start_latent, unipc)[-1]
    assert (last - expected[-1][:, :, -WINDOW:]).abs().max().item() > 1e-3
