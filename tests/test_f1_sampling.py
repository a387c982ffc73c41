"""Schedules and samplers on toy denoisers (no model needed)."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")

from fp_timeline_plugins.framepack_f1.sampling import sample_euler, sample_unipc  # noqa: E402
from fp_timeline_plugins.framepack_f1.schedules import (  # noqa: E402
    flux_shift_mu,
    section_seq_len,
    section_sigmas,
    sigmas_from_mu,
)


def test_mu_caps_at_ln7_at_real_sizes():
    real = section_seq_len(9, 640 // 8, 640 // 8)
    assert flux_shift_mu(real) == pytest.approx(math.log(7.0))
    tiny = flux_shift_mu(section_seq_len(9, 8, 8))
    assert tiny == pytest.approx(0.48104, abs=1e-5)  # README's tiny-size value
    assert flux_shift_mu(256) == pytest.approx(0.5)


def test_sigmas_monotone_from_one_to_zero():
    sigmas = sigmas_from_mu(10, 1.2)
    assert sigmas.shape == (11,) and sigmas.dtype == torch.float32
    assert sigmas[0].item() == pytest.approx(1.0) and sigmas[-1] == 0.0
    assert bool((sigmas[1:] < sigmas[:-1]).all())
    static, mu = section_sigmas(10, 9, 8, 8, shift=3.0)
    assert mu == pytest.approx(math.log(3.0))


def _count_calls(denoised):
    calls = []

    def model(x, sigma):
        calls.append(float(sigma[0]))
        return denoised.expand_as(x)

    return model, calls


@pytest.mark.parametrize("steps", [1, 2, 3, 7])
def test_unipc_calls_model_exactly_steps_times_and_never_at_zero(steps):
    target = torch.full((1, 2, 3, 4, 4), 0.25)
    model, calls = _count_calls(target)
    out = sample_unipc(model, torch.randn(1, 2, 3, 4, 4), sigmas_from_mu(steps, 0.5))
    assert len(calls) == steps and 0.0 not in calls
    # A denoiser that always says "x0 = target" must give target back: the last prediction is returned.
    torch.testing.assert_close(out, target)


def test_euler_follows_the_straight_flow_path():
    # With D(x) = target for every x, each Euler step moves along the straight line to the target.
    target = torch.full((1, 2, 3, 4, 4), -0.5)
    model, calls = _count_calls(target)
    x0 = torch.randn(1, 2, 3, 4, 4)
    sigmas = sigmas_from_mu(5, 0.7)
    seen = []
    out = sample_euler(model, x0, sigmas, callback=lambda d: seen.append(d["x"]))
    assert len(calls) == 5
    torch.testing.assert_close(out, target)
    for s_next, x in zip(sigmas[1:], seen, strict=True):
        torch.testing.assert_close(x, (1 - s_next) * target + s_next * x0, rtol=1e-5, atol=1e-5)


def test_unipc_bh2_differs_from_bh1():
    torch.manual_seed(0)
    w = torch.randn(4, 4)

    def model(x, sigma):
        return torch.tanh(x @ w) * (1 - sigma.view(-1, 1, 1, 1, 1))

    x = torch.randn(1, 2, 3, 4, 4)
    sigmas = sigmas_from_mu(6, 0.5)
    a = sample_unipc(model, x, sigmas, variant="bh1")
    b = sample_unipc(model, x, sigmas, variant="bh2")
    assert (a - b).abs().max() > 1e-6
    with pytest.raises(ValueError):
        sample_unipc(model, x, sigmas, variant="bh3")


def test_denoiser_is_x_minus_sigma_v_and_mixes_cfg():
    from fp_timeline_plugins.framepack_f1.denoiser import FlowMatchDenoiser

    class FakeTransformer(torch.nn.Module):
        def forward(self, hidden_states, timestep, return_dict, velocity):
            return (torch.full_like(hidden_states, velocity) * timestep.view(-1, 1, 1, 1, 1) / 1000,)

    x = torch.randn(1, 2, 3, 4, 4)
    sigma = torch.tensor([0.5])
    plain = FlowMatchDenoiser(FakeTransformer(), {"velocity": 2.0})
    torch.testing.assert_close(plain(x, sigma), x - 0.5 * (2.0 * 0.5))  # v = 2 * t/1000 = 1
    assert plain.calls == 1
    cfg = FlowMatchDenoiser(FakeTransformer(), {"velocity": 2.0}, {"velocity": 1.0}, cfg_scale=3.0)
    # v = v_neg + 3 (v_pos - v_neg) = 0.5 + 3 * 0.5 = 2.0
    torch.testing.assert_close(cfg(x, sigma), x - 0.5 * 2.0)
    assert cfg.calls == 1  # one guided velocity (two transformer passes)
