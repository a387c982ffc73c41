"""Per-frame image metrics for ``drift.py``: PSNR and SSIM against a ground truth, and the no-reference
statistics (sharpness, colour) the FramePack paper's drift metric can be taken on.  numpy only.
"""

from __future__ import annotations

import numpy as np

DRIFT_FRACTION = 0.15  # the FramePack paper compares the first and last 15% of a video


def _gray(frame: np.ndarray) -> np.ndarray:
    return frame.astype(np.float64) @ np.array([0.299, 0.587, 0.114])


def _blur(image: np.ndarray, sigma: float = 1.5) -> np.ndarray:
    radius = int(3 * sigma)
    x = np.arange(-radius, radius + 1)
    kernel = np.exp(-(x**2) / (2 * sigma**2))
    kernel /= kernel.sum()
    padded = np.pad(image, radius, mode="reflect")
    rows = np.apply_along_axis(lambda r: np.convolve(r, kernel, mode="valid"), 1, padded)
    return np.apply_along_axis(lambda c: np.convolve(c, kernel, mode="valid"), 0, rows)


def ssim(frame: np.ndarray, truth: np.ndarray) -> float:
    """SSIM (Wang et al. 2004; Gaussian window, sigma 1.5) on luma of two (H, W, 3) uint8 frames."""
    a, b = _gray(frame), _gray(truth)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mu_a, mu_b = _blur(a), _blur(b)
    var_a = _blur(a * a) - mu_a**2
    var_b = _blur(b * b) - mu_b**2
    cov = _blur(a * b) - mu_a * mu_b
    num = (2 * mu_a * mu_b + c1) * (2 * cov + c2)
    den = (mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2)
    return float(np.mean(num / den))


def sharpness(frame: np.ndarray) -> float:
    """Variance of the Laplacian of the luma: falls as a video blurs."""
    g = _gray(frame)
    lap = -4 * g[1:-1, 1:-1] + g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:]
    return float(lap.var())


def colour(frame: np.ndarray) -> np.ndarray:
    """Mean and standard deviation of each RGB channel (6 numbers)."""
    pixels = frame.reshape(-1, 3).astype(np.float64)
    return np.concatenate([pixels.mean(0), pixels.std(0)])


def drift(values: np.ndarray, fraction: float = DRIFT_FRACTION) -> float:
    """The FramePack paper's drift: |M(first 15% of frames) - M(last 15%)| of a per-frame metric M.

    ``values``: (frames,) or (frames, k); for vectors the Euclidean distance of the two means.
    """
    values = np.asarray(values, dtype=np.float64)
    n = max(1, int(round(len(values) * fraction)))
    delta = values[:n].mean(0) - values[-n:].mean(0)
    return float(np.linalg.norm(np.atleast_1d(delta)))


def per_second(values: np.ndarray, fps: int) -> np.ndarray:
    """Mean of each whole or partial second of a per-frame series."""
    values = np.asarray(values, dtype=np.float64)
    return np.array([values[i : i + fps].mean() for i in range(0, len(values), fps)])
