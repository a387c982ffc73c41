"""Plot a training log (``train.py``'s ``log.json``) as loss curves: ``python -m ...toy.losses LOG PNG``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np


def smooth(values: list[float], window: int = 25) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    window = max(1, min(window, len(values)))
    return np.convolve(values, np.ones(window) / window, mode="valid")


def plot_losses(log: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
    stages = (("vae", "VAE reconstruction (MSE + L1/2, pixels in [-1, 1])"), ("transformer", "flow-matching MSE"))
    for ax, (stage, title) in zip(axes, stages, strict=True):
        losses = log[stage]["losses"]
        minutes = np.array([row[1] for row in losses]) / 60
        curve = smooth([row[2] for row in losses])
        ax.plot(minutes[len(minutes) - len(curve) :], curve)
        ax.set_title(f"{stage}: {log[stage]['steps']} steps, {log[stage]['seconds'] / 60:.1f} min", fontsize=9)
        ax.set_xlabel("minutes (wall clock)")
        ax.set_ylabel(title, fontsize=8)
        ax.set_yscale("log")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    plot_losses(json.loads(Path(sys.argv[1]).read_text()), Path(sys.argv[2]))
