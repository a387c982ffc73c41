"""Incremental decode: within a clip it equals FramePack's whole-history soft-append; at a cut the first
clip's frames stay final and the next clip writes only its own frames."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from fp_timeline_plugins.framepack_f1.decode import (  # noqa: E402
    SectionDecoder,
    pixel_frames,
    soft_append,
    to_uint8_frames,
)

L, C, H = 3, 4, 2


def fake_decode(latents: torch.Tensor) -> torch.Tensor:
    """A stand-in VAE: (1, C, T, h, w) -> (1, 3, 1 + 4(T-1), 8h, 8w) whose frames depend on their position in
    the window too (as a causal VAE's do), so a wrong overlap or blend shows."""
    t = latents.shape[2]
    idx = torch.tensor([0] + [1 + (j - 1) // 4 for j in range(1, pixel_frames(t))])
    base = latents[:, :3].index_select(2, idx).repeat_interleave(8, 3).repeat_interleave(8, 4)
    ramp = torch.linspace(-0.3, 0.3, pixel_frames(t)).view(1, 1, -1, 1, 1)
    return torch.tanh(base + ramp)


def reference_soft_append(history: torch.Tensor, current: torch.Tensor, overlap: int) -> torch.Tensor:
    """FramePack's ``soft_append_bcthw``, written out independently of the plugin's."""
    out = torch.cat([history[:, :, :-overlap], current], dim=2)
    for i in range(overlap):
        w = 1 - i / (overlap - 1)
        out[:, :, history.shape[2] - overlap + i] = w * history[:, :, -overlap + i] + (1 - w) * current[:, :, i]
    return out


def framepack_history(real: torch.Tensor, sections: int) -> torch.Tensor:
    """FramePack's worker: decode everything once, then the last 2L latents each section, soft-appended."""
    history = fake_decode(real[:, :, : 1 + L])
    for k in range(1, sections):
        current = fake_decode(real[:, :, : 1 + L * (k + 1)][:, :, -2 * L :])
        history = reference_soft_append(history, current, overlap=4 * L - 3)
    return history


def test_within_a_clip_equals_framepack_soft_append():
    g = torch.Generator().manual_seed(0)
    real = torch.randn(1, C, 1 + 4 * L, H, H, generator=g)
    decoder = SectionDecoder(fake_decode, tail=real[:, :, :1], fresh=True)
    frames = []
    for k in range(4):
        frames += decoder.push(real[:, :, 1 + k * L : 1 + (k + 1) * L])
        assert decoder._held.shape[2] == 4 * L - 3  # memory: only the next overlap is held back
    frames += decoder.finish()
    expected = to_uint8_frames(framepack_history(real, 4))
    assert len(frames) == len(expected) == 1 + 4 * 4 * L
    np.testing.assert_array_equal(np.stack(frames), np.stack(expected))


def test_at_a_cut_the_previous_take_stays_final():
    g = torch.Generator().manual_seed(1)
    real = torch.randn(1, C, 1 + 3 * L, H, H, generator=g)
    a = SectionDecoder(fake_decode, tail=real[:, :, :1], fresh=True)
    frames_a = a.push(real[:, :, 1 : 1 + L]) + a.push(real[:, :, 1 + L : 1 + 2 * L]) + a.finish()
    b = SectionDecoder(fake_decode, tail=a.tail, fresh=False)
    new = real[:, :, 1 + 2 * L :]
    frames_b = b.push(new) + b.finish()

    assert len(frames_a) == 1 + 8 * L and len(frames_b) == 4 * L
    # A's frames are exactly A alone (nothing of B blended in) ...
    np.testing.assert_array_equal(np.stack(frames_a), np.stack(to_uint8_frames(framepack_history(real, 2))))
    # ... and B's first section was decoded with A's last L latents as context, overlap dropped.
    window = fake_decode(torch.cat([real[:, :, 1 + L : 1 + 2 * L], new], dim=2))
    np.testing.assert_array_equal(np.stack(frames_b), np.stack(to_uint8_frames(window[:, :, -4 * L :])))


def test_soft_append_weights_fall_linearly():
    history, current = torch.zeros(1, 1, 5, 1, 1), torch.ones(1, 1, 5, 1, 1)
    out = soft_append(history, current, overlap=3)
    assert out.flatten().tolist() == [0, 0, 0, 0.5, 1, 1, 1]


def test_pixels_round_trip_between_uint8_and_unit_range():
    from fp_timeline_plugins.framepack_f1.encoders import frames_to_pixels

    frames = np.array([[[[0, 128, 255]]], [[[255, 0, 64]]]], dtype=np.uint8)  # (T=2, H=1, W=1, 3)
    pixels = frames_to_pixels(frames)
    assert pixels.shape == (1, 3, 2, 1, 1) and pixels.dtype == torch.float32
    assert pixels.min() == -1.0 and pixels.max() == 1.0
    np.testing.assert_array_equal(np.stack(to_uint8_frames(pixels)), frames)
