"""Picture error against a ground truth, for the toy's tests, its evaluation and the drift benchmark (numpy)."""

from __future__ import annotations

import numpy as np

PSNR_CAP = 60.0  # dB for identical frames (and anything closer), so means over frames stay finite


def psnr(frame: np.ndarray, truth: np.ndarray) -> float:
    """PSNR in dB of two (H, W, 3) frames in 0..255 (capped at ``PSNR_CAP``)."""
    mse = float(np.mean((np.asarray(frame, np.float64) - np.asarray(truth, np.float64)) ** 2))
    return PSNR_CAP if mse < 1e-6 else min(PSNR_CAP, 10 * float(np.log10(255.0**2 / mse)))
