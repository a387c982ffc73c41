"""``drift.py`` without a ground truth, for the real preset on a user's own start image.

Metrics that need no reference, as the FramePack paper's drift metric suggests: per-frame sharpness and
colour statistics, and the cosine similarity of each frame's SigLIP embedding (the image encoder the
preset already loads) to the first frame's.  Only the strategies that need no true keyframes run:
``continuous`` and ``hand_cuts``.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from drift_metrics import colour, drift, per_second, sharpness

from fp_timeline_plugins.framepack_f1.encoders import encode_image, load_image

NOREF_STRATEGIES = ("continuous", "hand_cuts")
EMBED_EVERY = 5  # frames between SigLIP embeddings (the real encoder is 400M parameters)


def _embedding(components, frame: np.ndarray) -> torch.Tensor:
    return encode_image(components, frame)[0].mean(0)  # mean over patches: (D,)


def measure_noref(components, frames: list[np.ndarray], fps: int) -> dict:
    sharp = np.array([sharpness(f) for f in frames])
    col = np.array([colour(f) for f in frames])
    first = _embedding(components, frames[0])
    picked = list(range(0, len(frames), EMBED_EVERY))
    cosine = np.array([float(torch.cosine_similarity(first, _embedding(components, frames[i]), dim=0)) for i in picked])
    return {
        "frames": len(frames),
        "sharpness_per_second": per_second(sharp, fps).round(2).tolist(),
        "siglip_cosine_per_second": per_second(cosine, fps // EMBED_EVERY).round(4).tolist(),
        "siglip_cosine_mean": round(float(cosine.mean()), 4),
        "drift_sharpness_rel": round(drift(sharp) / max(float(sharp[: max(1, len(sharp) // 7)].mean()), 1e-9), 4),
        "drift_colour": round(drift(col), 3),
        "drift_siglip_cosine": round(drift(cosine), 4),
    }


def run_noref(components, args, render_strategy, fps: int) -> dict:
    """Every no-reference strategy for every seed, from ``args.image`` with ``args.prompt``."""
    start = load_image(args.image, args.width, args.height)
    results: dict[str, list[dict]] = {s: [] for s in NOREF_STRATEGIES if s in args.strategies}
    for seed in range(args.seeds):
        for strategy in results:
            began = time.perf_counter()
            frames = render_strategy(components, strategy, args.prompt, [start], seed, args)
            m = measure_noref(components, frames, fps)
            m.update(seed=seed, seconds=round(time.perf_counter() - began, 1))
            results[strategy].append(m)
            print(
                f"seed {seed} {strategy:15s} SigLIP cosine {m['siglip_cosine_mean']:.3f} "
                f"drift(sharpness) {m['drift_sharpness_rel']:.3f} ({m['seconds']} s)",
                flush=True,
            )
    return results
