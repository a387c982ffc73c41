"""Quality and work saved by step skipping (First Block Cache, MagCache) against the exact F1 loop.

Renders the same clip three times with the tiny preset (64x64, window 9, 25 UniPC steps, 2 sections): exact,
``teacache`` (First Block Cache) and ``magcache``, and reports per-frame PSNR of the cached renders against
the exact one (min and mean, dB), the share of transformer block evaluations skipped, and the time.  The
tiny preset has random weights, so these PSNRs say how the caches behave on this loop, not what they cost
on the real model; run with the real weights (``--preset real``, a GPU) for that.

    python benchmarks/step_cache_quality.py [--sections 3] [--steps 25] [--preset tiny]
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np
import torch


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


def render(components, params: dict, sections: int, image: np.ndarray) -> tuple[list[np.ndarray], int, float]:
    from fp_timeline_plugins.framepack_f1.config import FramePackF1Config
    from fp_timeline_plugins.framepack_f1.magcache import ratios_for
    from fp_timeline_plugins.framepack_f1.session import ChainRenderer, ClipSpec

    config = FramePackF1Config(**params)
    if config.magcache:  # calibrated before the clock starts (once per model and schedule)
        ratios_for(components, config, image.shape[0] // 8, image.shape[1] // 8)
    transformer = components.get_transformer()
    calls = [0]  # the last block's attention runs only when the block really computes
    last = transformer.single_transformer_blocks[-1].attn
    hook = last.register_forward_pre_hook(lambda *_: calls.__setitem__(0, calls[0] + 1))
    renderer = ChainRenderer(components, image.shape[1], image.shape[0])
    renderer.begin_clip(ClipSpec("a kite over a beach", 3, sections, config, image=image))
    frames: list[np.ndarray] = []
    started = time.perf_counter()
    for _ in range(sections):
        frames += renderer.run_section()[1]
    seconds = time.perf_counter() - started
    frames += renderer.end_clip()
    hook.remove()
    return frames, calls[0], seconds


def main() -> None:
    from fp_timeline_plugins.framepack_f1.presets import load_components

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", type=int, default=2)
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--preset", default="tiny")
    args = parser.parse_args()
    torch.set_num_threads(1)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    components = load_components(args.preset, device, dtype)
    rng = np.random.default_rng(0)
    from PIL import Image

    small = rng.integers(0, 255, (4, 4, 3), dtype=np.uint8)
    image = np.asarray(Image.fromarray(small).resize((args.size, args.size), Image.BICUBIC))
    base = {"steps": args.steps, "latent_window_size": 9}
    exact, exact_calls, exact_s = render(components, base, args.sections, image)
    result = {"preset": args.preset, "steps": args.steps, "sections": args.sections, "exact_s": round(exact_s, 2)}
    for name, extra in (("teacache", {"teacache": True}), ("magcache", {"magcache": True})):
        frames, calls, seconds = render(components, {**base, **extra}, args.sections, image)
        scores = [psnr(a, b) for a, b in zip(exact, frames, strict=True)]
        finite = [s for s in scores if math.isfinite(s)]
        result[name] = {
            "psnr_min_db": round(min(scores), 2),
            "psnr_mean_db": round(sum(finite) / len(finite), 2) if finite else math.inf,
            "identical_frames": len(scores) - len(finite),
            "blocks_skipped": round(1 - calls / exact_calls, 3),
            "seconds": round(seconds, 2),
        }
        print(name, result[name], flush=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
