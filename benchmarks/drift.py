"""Does carrying F1's packed context across cuts make long sequences drift less?  Measured on the toy preset.

Renders ~20 s at 30 fps (6 clips of 3 sections) from ground-truth starts of synthetic videos whose
future is known (``toy/motions.py``: a bouncing ball, a pan), in four ways:

1. ``continuous``: one F1 generation, i.e. a chain of ``carry`` cuts continuing the noise (bit for bit);
2. ``hand_cuts``: each clip fresh from the previous clip's last frame (how FramePack-Studio users chain);
3. ``carry_keyframe``: ``carry`` cuts that re-anchor on the ground-truth frame at each cut;
4. ``fresh_keyframe``: independent fresh clips, each from the ground-truth frame at its start.

Per second it measures PSNR and SSIM against the ground truth; per run the FramePack paper's drift metric
(|M(first 15%) - M(last 15%)|) of PSNR, sharpness and colour statistics.  Writes ``drift.md`` (table),
``drift.png`` (plot) and ``drift.json`` under ``--out``; the last line printed is the JSON summary.

    python benchmarks/drift.py [--seeds 3] [--clips 6] [--sections 3] [--steps 12] [--out benchmarks/results]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from drift_metrics import colour, drift, per_second, sharpness, ssim

from fp_timeline_plugins.framepack_f1.config import FramePackF1Config
from fp_timeline_plugins.framepack_f1.presets import load_components
from fp_timeline_plugins.framepack_f1.session import NOISE_CONTINUE, ChainRenderer, ClipSpec
from fp_timeline_plugins.framepack_f1.toy import motions
from fp_timeline_plugins.framepack_f1.toy.metrics import psnr

FPS = 30
STRATEGIES = ("continuous", "hand_cuts", "carry_keyframe", "fresh_keyframe")
SCENE_MOTIONS = ("bounce", "pan_right")  # seeds alternate between them


def _run_chain(components, clips: list[ClipSpec], carried: bool, size: tuple[int, int]) -> list[np.ndarray]:
    """Render ``clips`` in one ChainRenderer (carried cuts) or each in its own (fresh clips)."""
    frames: list[np.ndarray] = []
    renderer = None
    for spec in clips:
        if renderer is None or not carried:
            renderer = ChainRenderer(components, *size)
        renderer.begin_clip(spec)
        for _ in range(spec.sections):
            frames.extend(renderer.run_section()[1])
        frames.extend(renderer.end_clip())
    return frames


def render_strategy(
    components, strategy: str, prompt: str, keyframes: list[np.ndarray], seed: int, args
) -> list[np.ndarray]:
    """``keyframes[i]``: the true frame where clip ``i`` starts (only the first is used by 1 and 2)."""
    config = FramePackF1Config(steps=args.steps)
    size = (args.width, args.height)
    clip_frames = args.sections * 4 * config.latent_window_size

    def spec(i: int, image: np.ndarray | None, noise: str = "own") -> ClipSpec:
        return ClipSpec(prompt, seed * 100 + i, args.sections, config, image, noise)

    if strategy == "continuous":
        clips = [spec(0, keyframes[0])] + [spec(0, None, NOISE_CONTINUE) for _ in range(1, args.clips)]
        return _run_chain(components, clips, carried=True, size=size)
    if strategy == "carry_keyframe":
        return _run_chain(components, [spec(i, keyframes[i]) for i in range(args.clips)], carried=True, size=size)
    if strategy == "fresh_keyframe":
        frames = _run_chain(components, [spec(i, keyframes[i]) for i in range(args.clips)], carried=False, size=size)
        return _drop_repeated_starts(frames, args.clips, clip_frames)
    if strategy == "hand_cuts":
        frames: list[np.ndarray] = []
        start = keyframes[0]
        for i in range(args.clips):
            clip = _run_chain(components, [spec(i, start)], carried=False, size=size)
            frames.extend(clip if i == 0 else clip[1:])  # a restarted clip repeats its start frame
            start = clip[-1]
        return frames
    raise ValueError(f"unknown strategy {strategy!r}")


def _drop_repeated_starts(frames: list[np.ndarray], clips: int, clip_frames: int) -> list[np.ndarray]:
    """Fresh clips each begin with their start image; keep the timeline 1 + clips * clip_frames long."""
    out = frames[: clip_frames + 1]
    for i in range(1, clips):
        begin = i * (clip_frames + 1)
        out.extend(frames[begin + 1 : begin + 1 + clip_frames])
    return out


def measure(frames: list[np.ndarray], truth: np.ndarray) -> dict:
    n = min(len(frames), len(truth))
    p = np.array([psnr(frames[i], truth[i]) for i in range(n)])
    s = np.array([ssim(frames[i], truth[i]) for i in range(n)])
    sharp = np.array([sharpness(f) for f in frames[:n]])
    col = np.array([colour(f) for f in frames[:n]])
    return {
        "frames": n,
        "psnr_per_second": per_second(p, FPS).round(3).tolist(),
        "ssim_per_second": per_second(s, FPS).round(4).tolist(),
        "psnr_mean": round(float(p.mean()), 3),
        "ssim_mean": round(float(s.mean()), 4),
        "drift_psnr": round(drift(p), 3),
        "drift_ssim": round(drift(s), 4),
        "drift_sharpness_rel": round(drift(sharp) / max(float(sharp[: max(1, n // 7)].mean()), 1e-9), 4),
        "drift_colour": round(drift(col), 3),
    }


def _scene(seed: int, width: int, height: int) -> motions.Scene:
    rng = np.random.default_rng(seed)
    motion = motions.MOTIONS_BY_NAME[SCENE_MOTIONS[seed % len(SCENE_MOTIONS)]]
    return motions.random_scene(rng, motions.sample_images(), motion, height, width)


def run_ground_truth(components, args) -> dict:
    """Every strategy for every seed; returns {strategy: [per-seed measurements]}."""
    clip_frames = args.sections * 4 * FramePackF1Config().latent_window_size
    total = 1 + args.clips * clip_frames
    results: dict[str, list[dict]] = {s: [] for s in args.strategies}
    for seed in range(args.seeds):
        scene = _scene(seed, args.width, args.height)
        truth = scene.video(total)
        for strategy in args.strategies:
            began = time.perf_counter()
            keyframes = [truth[i * clip_frames] for i in range(args.clips)]  # where each clip starts
            frames = render_strategy(components, strategy, scene.motion.prompts[0], keyframes, seed, args)
            m = measure(frames, truth)
            m.update(seed=seed, motion=scene.motion.name, seconds=round(time.perf_counter() - began, 1))
            results[strategy].append(m)
            print(
                f"seed {seed} {scene.motion.name:9s} {strategy:15s} PSNR {m['psnr_mean']:.2f} "
                f"SSIM {m['ssim_mean']:.3f} drift(PSNR) {m['drift_psnr']:.2f} ({m['seconds']} s)",
                flush=True,
            )
    return results


def summarise(results: dict) -> dict:
    """Mean and standard deviation over seeds of each run-level figure (and of each series' last second)."""
    summary = {}
    for strategy, runs in results.items():
        figures = {k: [r[k] for r in runs] for k, v in runs[0].items() if isinstance(v, float)}
        for key in [k for k in runs[0] if k.endswith("_per_second")]:
            figures[key.replace("_per_second", "_last_second")] = [r[key][-1] for r in runs]
        summary[strategy] = {k: [round(float(np.mean(v)), 4), round(float(np.std(v)), 4)] for k, v in figures.items()}
    return summary


def write_table(summary: dict, path: Path, command: str) -> None:
    """A markdown table: one row per strategy, mean ± standard deviation over seeds."""
    keys = [k for k in next(iter(summary.values())) if k not in ("seed", "seconds")]
    rows = [f"`{command}`", "", "| strategy | " + " | ".join(keys) + " |", "| --- " * (len(keys) + 1) + "|"]
    for strategy, s in summary.items():
        rows.append(f"| {strategy} | " + " | ".join(f"{s[k][0]:.4g} ± {s[k][1]:.2g}" for k in keys) + " |")
    path.write_text("\n".join(rows) + "\n")


def plot(results: dict, path: Path) -> None:
    """One panel per per-second series (mean over seeds, shaded ± one standard deviation)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = [k for k in next(iter(results.values()))[0] if k.endswith("_per_second")]
    fig, axes = plt.subplots(1, len(keys), figsize=(5 * len(keys), 3.6), squeeze=False)
    for strategy, runs in results.items():
        for ax, key in zip(axes[0], keys, strict=True):
            series = np.array([r[key] for r in runs])
            x = np.arange(series.shape[1]) + 0.5
            mean, std = series.mean(0), series.std(0)
            ax.plot(x, mean, label=strategy)
            ax.fill_between(x, mean - std, mean + std, alpha=0.2)
    for ax, key in zip(axes[0], keys, strict=True):
        ax.set_xlabel("second")
        ax.set_title(key.replace("_per_second", "").replace("_", " ") + f" ({len(next(iter(results.values())))} seeds)")
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--clips", type=int, default=6)
    parser.add_argument("--sections", type=int, default=3, help="sections per clip (36 frames each)")
    parser.add_argument("--steps", type=int, default=12, help="sampler steps per section")
    parser.add_argument("--strategies", nargs="+", default=list(STRATEGIES), choices=STRATEGIES)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument("--preset", default="toy", choices=("toy", "real", "tiny"))
    parser.add_argument("--weights", type=Path, default=None, help="a toy checkpoint folder (default: shipped)")
    parser.add_argument("--image", type=Path, help="no ground truth: your start image (any preset)")
    parser.add_argument("--prompt", default="the camera pans right")
    parser.add_argument("--size", default="96x64", help="WIDTHxHEIGHT for --image (multiples of 16)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    args.width, args.height = (int(v) for v in args.size.split("x"))
    return args


def _components(args):
    if args.weights is not None:
        from fp_timeline_plugins.framepack_f1.toy import load_toy

        return load_toy(args.weights)
    device = torch.device(args.device)
    return load_components(args.preset, device, torch.bfloat16 if device.type == "cuda" else torch.float32)


def main() -> None:
    args = _arguments()
    torch.set_num_threads(args.threads)
    components = _components(args)
    began = time.perf_counter()
    if args.image is not None or args.preset != "toy":
        from drift_noref import run_noref

        if args.image is None:
            raise SystemExit("error: without the toy's ground truth, give --image (and --prompt)")
        results, name = run_noref(components, args, render_strategy, FPS), "drift_noref"
    else:
        results, name = run_ground_truth(components, args), "drift"
    summary = summarise(results)
    args.out.mkdir(parents=True, exist_ok=True)
    command = " ".join(["python benchmarks/drift.py", *sys.argv[1:]])
    write_table(summary, args.out / f"{name}.md", command)
    plot(results, args.out / f"{name}.png")
    (args.out / f"{name}.json").write_text(json.dumps({"command": command, "summary": summary, "runs": results}))
    seconds = round(time.perf_counter() - began, 1)
    print(json.dumps({"benchmark": name, "seconds": seconds, "summary": summary}))


if __name__ == "__main__":
    main()
