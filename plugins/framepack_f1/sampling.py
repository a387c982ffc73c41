"""Samplers as functions, k-diffusion style: ``sample_x(model, x, sigmas, *, extra_args, callback)``.

``model(x, sigma, **extra_args)`` is a denoiser: it returns the x0 (data) prediction.  ``sigmas`` runs from
1 down to 0 (flow matching: ``x_sigma = (1 - sigma) * x0 + sigma * noise``).  The callback gets a dict
``{"x", "i", "sigma", "denoised"}`` after each step, and may raise to stop sampling.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

Denoiser = Callable[..., torch.Tensor]
StepCallback = Callable[[dict[str, Any]], None]


def sample_unipc(
    model: Denoiser,
    x: torch.Tensor,
    sigmas: torch.Tensor,
    *,
    extra_args: dict[str, Any] | None = None,
    callback: StepCallback | None = None,
    variant: str = "bh1",
) -> torch.Tensor:
    """FramePack's flow-matching UniPC (Zhao et al. 2023, "UniPC", Alg. 2, data prediction).

    ``lambda = -ln(sigma)``; order ``min(3, steps - 1)``, warming up 1, 2, 3.  Each step after the first
    predicts x at the next sigma, evaluates the model there, and corrects x with that evaluation (which is
    then reused, so there are exactly ``steps`` model calls).  Sigma 0 is never evaluated: the result is the
    last denoised prediction, not the corrected x.
    """
    if variant not in ("bh1", "bh2"):
        raise ValueError(f"UniPC variant must be 'bh1' or 'bh2', got {variant!r}")
    extra_args = extra_args or {}
    steps = len(sigmas) - 1
    max_order = min(3, steps - 1)
    ones = x.new_ones(x.shape[0])
    denoised_hist: list[torch.Tensor] = []  # model outputs at the last `max_order` points, oldest first
    sigma_hist: list[torch.Tensor] = []
    for i in range(steps):
        sigma = sigmas[i] * ones
        if i == 0:
            denoised = model(x, sigma, **extra_args)
        else:
            order = min(i, max_order)
            x, denoised = _unipc_step(model, x, denoised_hist, sigma_hist, sigma, order, variant, extra_args)
        denoised_hist.append(denoised)
        sigma_hist.append(sigma)
        if max_order > 0:
            denoised_hist, sigma_hist = denoised_hist[-max_order:], sigma_hist[-max_order:]
        if callback is not None:
            callback({"x": x, "i": i, "sigma": sigmas[i], "denoised": denoised})
    return denoised_hist[-1]


def _unipc_step(
    model: Denoiser,
    x: torch.Tensor,
    denoised_hist: list[torch.Tensor],
    sigma_hist: list[torch.Tensor],
    sigma: torch.Tensor,
    order: int,
    variant: str,
    extra_args: dict[str, Any],
) -> tuple[torch.Tensor, torch.Tensor]:
    """One predictor-corrector update to ``sigma``; returns (corrected x, model output at the prediction)."""
    d_prev, sigma_prev = denoised_hist[-1], sigma_hist[-1]
    lam_prev = -torch.log(sigma_prev)
    h = -torch.log(sigma) - lam_prev  # > 0: lambda grows as sigma falls

    # Divided differences of older model outputs, scaled by their relative lambda offsets r_k.
    ratios, diffs = [], []
    for k in range(1, order):
        r_k = ((-torch.log(sigma_hist[-(k + 1)]) - lam_prev) / h)[0]
        ratios.append(r_k)
        diffs.append((denoised_hist[-(k + 1)] - d_prev) / r_k)
    ratios.append(1.0)
    r = torch.tensor(ratios, device=x.device)

    hh = -h[0]  # data prediction integrates in -h
    phi_1 = torch.expm1(hh)
    b_h = hh if variant == "bh1" else torch.expm1(hh)

    # Solve the order conditions R rho = b (UniPC eq. for the B(h) variants).
    rows, rhs = [], []
    phi_k = phi_1 / hh - 1
    factorial = 1
    for k in range(1, order + 1):
        rows.append(torch.pow(r, k - 1))
        rhs.append(phi_k * factorial / b_h)
        factorial *= k + 1
        phi_k = phi_k / hh - 1 / factorial
    mat = torch.stack(rows)
    b = torch.tensor(rhs, device=x.device)

    x_base = (sigma[0] / sigma_prev[0]) * x - phi_1 * d_prev  # the first-order (DDIM-like) step
    if diffs:
        d_stack = torch.stack(diffs, dim=1)  # (B, order - 1, ...)
        half = torch.tensor([0.5], device=x.device)
        rho_p = half if order == 2 else torch.linalg.solve(mat[:-1, :-1], b[:-1])
        x_pred = x_base - b_h * torch.tensordot(d_stack, rho_p, dims=([1], [0]))
    else:
        x_pred = x_base
    d_pred = model(x_pred, sigma, **extra_args)

    rho_c = torch.tensor([0.5], device=x.device) if order == 1 else torch.linalg.solve(mat, b)
    correction = rho_c[-1] * (d_pred - d_prev)
    if diffs:
        correction = torch.tensordot(d_stack, rho_c[:-1], dims=([1], [0])) + correction
    return x_base - b_h * correction, d_pred


def sample_euler(
    model: Denoiser,
    x: torch.Tensor,
    sigmas: torch.Tensor,
    *,
    extra_args: dict[str, Any] | None = None,
    callback: StepCallback | None = None,
) -> torch.Tensor:
    """Euler steps on the flow ODE (Karras et al. 2022, Alg. 2 without churn), as diffusers' pipeline does.

    With velocity ``v = (x - D) / sigma``: ``x <- x + (sigma_next - sigma) * v``; the last step (to 0) lands
    on the denoised prediction.
    """
    extra_args = extra_args or {}
    ones = x.new_ones(x.shape[0])
    for i in range(len(sigmas) - 1):
        sigma = sigmas[i] * ones
        denoised = model(x, sigma, **extra_args)
        velocity = (x - denoised) / sigmas[i]
        x = x + (sigmas[i + 1] - sigmas[i]) * velocity
        if callback is not None:
            callback({"x": x, "i": i, "sigma": sigmas[i], "denoised": denoised})
    return x


SAMPLER_FUNCTIONS = {"unipc": sample_unipc, "euler": sample_euler}
