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
        runs = [log[stage]]
        if f"earlier_{stage}" in log:  # a fine-tune (train.py --init, --finetune-vae)
            runs.insert(0, log[f"earlier_{stage}"])
        offset = 0.0
        for i, run in enumerate(runs):
            minutes = offset + np.array([row[1] for row in run["losses"]]) / 60
            curve = smooth([row[2] for row in run["losses"]])
            label = "fine-tuned (--init)" if i else ("first run" if len(runs) > 1 else None)
            ax.plot(minutes[len(minutes) - len(curve) :], curve, label=label)
            offset += run["seconds"] / 60
        steps = sum(run["steps"] for run in runs)
        ax.set_title(f"{stage}: {steps} steps, {offset:.1f} min", fontsize=9)
        if len(runs) > 1:
            ax.legend(fontsize=8)
        ax.set_xlabel("minutes (wall clock)")
        ax.set_ylabel(title, fontsize=8)
        ax.set_yscale("log")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    plot_losses(json.loads(Path(sys.argv[1]).read_text()), Path(sys.argv[2]))
