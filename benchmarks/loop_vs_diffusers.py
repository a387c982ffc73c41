"""Speed of this project's F1 loop vs diffusers' ``HunyuanVideoFramepackPipeline`` (vanilla), same weights.

Both sample the same sections with the same transformer, the same number of transformer calls per step,
Euler and UniPC, on the CPU with one thread; conditioning is computed once and handed to both (the
pipeline's ``encode_image`` and start-latent encoding are bypassed), no VAE decode on either side.  Runs
are interleaved (ours, pipeline, pipeline, ours, ...) so machine noise falls on both; reports min and
median seconds and the ratio ours / pipeline (target <= 1.0).

    python benchmarks/loop_vs_diffusers.py [--model tiny|300m] [--repeats 5] [--steps 4] [--sections 2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch

SIZE = 64  # pixels; latents 8x8


def make_pipeline(components, transformer, scheduler, image_embeds, start_latent):
    from diffusers import HunyuanVideoFramepackPipeline

    class Pipeline(HunyuanVideoFramepackPipeline):
        """The pipeline with its conditioning handed in, so only the sampling loops are compared."""

        def encode_image(self, image, device=None, dtype=None):
            return image_embeds

        def prepare_image_latents(self, image, dtype=None, device=None, generator=None, latents=None):
            return start_latent

    llama, clip = components.load_text_encoders()
    pipe = Pipeline(
        transformer=transformer,
        vae=components.vae,
        scheduler=scheduler,
        text_encoder=llama,
        tokenizer=components.tokenizer,
        text_encoder_2=clip,
        tokenizer_2=components.tokenizer_2,
        image_encoder=components.image_encoder,
        feature_extractor=components.feature_extractor,
    )
    pipe.set_progress_bar_config(disable=True)
    return pipe


def schedulers() -> dict:
    from diffusers import FlowMatchEulerDiscreteScheduler, UniPCMultistepScheduler

    return {
        "euler": FlowMatchEulerDiscreteScheduler(shift=7.0, use_dynamic_shifting=True),
        "unipc": UniPCMultistepScheduler(
            prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=7.0, use_dynamic_shifting=True
        ),
    }


def main() -> None:
    from PIL import Image

    from fp_timeline_plugins.framepack_f1.config import FramePackF1Config
    from fp_timeline_plugins.framepack_f1.loop import (
        Conditioning,
        LoopState,
        TextConditioning,
        draw_section_noise,
        sample_section,
    )
    from fp_timeline_plugins.framepack_f1.presets import load_components

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("tiny", "300m"), default="tiny")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--sections", type=int, default=2)
    parser.add_argument("--window", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)

    components = load_components("tiny", torch.device("cpu"), torch.float32)
    if args.model == "300m":
        from f1_bench_model import CONFIG, build

        transformer = build()
        text_dim, pooled_dim, image_dim = CONFIG["text_embed_dim"], CONFIG["pooled_projection_dim"], 1152
    else:
        transformer = components.transformer
        cfg = transformer.config
        text_dim, pooled_dim, image_dim = cfg.text_embed_dim, cfg.pooled_projection_dim, cfg.image_proj_dim
    g = torch.Generator().manual_seed(0)
    embeds, pooled = torch.randn(1, 16, text_dim, generator=g), torch.randn(1, pooled_dim, generator=g)
    mask = torch.ones(1, 16, dtype=torch.bool)
    image_embeds = torch.randn(1, 16, image_dim, generator=g)
    start = torch.randn(1, 16, 1, SIZE // 8, SIZE // 8, generator=g)
    cond = Conditioning(TextConditioning(embeds, mask, pooled), image_embeds)
    image = Image.new("RGB", (SIZE, SIZE))

    def ours(sampler: str) -> None:
        config = FramePackF1Config(latent_window_size=args.window, steps=args.steps, sampler=sampler)
        state, rng = LoopState.start(start), torch.Generator().manual_seed(1)
        for _ in range(args.sections):
            noise = draw_section_noise(rng, 16, config, SIZE // 8, SIZE // 8)
            state = state.appended(sample_section(transformer, state, cond, noise, config))

    pipes = {name: make_pipeline(components, transformer, s, image_embeds, start) for name, s in schedulers().items()}

    def theirs(sampler: str) -> None:
        pipes[sampler](
            image=image,
            prompt_embeds=embeds,
            pooled_prompt_embeds=pooled,
            prompt_attention_mask=mask,
            height=SIZE,
            width=SIZE,
            num_frames=args.sections * ((args.window - 1) * 4 + 1),
            latent_window_size=args.window,
            num_inference_steps=args.steps,
            guidance_scale=10.0,
            sampling_type="vanilla",
            generator=torch.Generator().manual_seed(1),
            output_type="latent",
        )

    times: dict[str, dict[str, list[float]]] = {s: {"ours": [], "diffusers": []} for s in pipes}
    calls = [0]
    transformer.register_forward_pre_hook(lambda *_: calls.__setitem__(0, calls[0] + 1))
    with torch.no_grad():
        for sampler in pipes:  # warm-up, untimed; both must make the same number of transformer calls
            counts = []
            for run in (ours, theirs):
                calls[0] = 0
                run(sampler)
                counts.append(calls[0])
            if counts[0] != counts[1]:
                raise SystemExit(f"{sampler}: ours made {counts[0]} transformer calls, the pipeline {counts[1]}")
        for repeat in range(args.repeats):
            for sampler in pipes:
                order = (("ours", ours), ("diffusers", theirs))
                for name, run in order if repeat % 2 == 0 else order[::-1]:
                    started = time.perf_counter()
                    run(sampler)
                    times[sampler][name].append(time.perf_counter() - started)

    result = {"model": args.model, "steps": args.steps, "sections": args.sections, "repeats": args.repeats}
    for sampler, by_loop in times.items():
        stats = {name: {"min": min(t), "median": statistics.median(t)} for name, t in by_loop.items()}
        result[sampler] = {
            **{f"{name}_{k}_s": round(v, 4) for name, s in stats.items() for k, v in s.items()},
            "ratio_min": round(stats["ours"]["min"] / stats["diffusers"]["min"], 3),
            "ratio_median": round(stats["ours"]["median"] / stats["diffusers"]["median"], 3),
        }
        print(f"{sampler}: ours/diffusers min {result[sampler]['ratio_min']}, median {result[sampler]['ratio_median']}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
