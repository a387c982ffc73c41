"""The toy preset's synthetic videos (ground truth for training and the drift benchmark), and the
benchmark's metrics: pure numpy, fast."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from fp_timeline_plugins.framepack_f1.toy import motions
from fp_timeline_plugins.framepack_f1.toy.metrics import psnr

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import drift_metrics  # noqa: E402


@pytest.fixture(scope="module")
def image() -> np.ndarray:
    return motions.sample_images()[0]


def test_every_prompt_names_one_motion_and_unknown_prompts_are_refused():
    assert len(set(motions.PROMPTS)) == len(motions.PROMPTS)
    assert motions.motion_for("the camera pans right").name == "pan_right"
    with pytest.raises(KeyError, match="knows no motion.*the camera pans right"):
        motions.motion_for("a dragon flies")


def test_a_pan_slides_the_picture_by_its_speed_each_frame(image):
    scene = motions.fitted_scene(image, motions.MOTIONS_BY_NAME["pan_right"], 64, 96)
    first, later = scene.frame(0), scene.frame(10)
    shift = round(10 * motions.PAN_SPEED)
    # Content moves left: column c at t=10 shows what column c + 10 showed at t=0 (away from the mirror edge).
    np.testing.assert_allclose(later[:, : 96 - shift], first[:, shift:], atol=1e-3)
    assert np.abs(later - first).mean() > 5


def test_the_zooms_and_tilts_move_in_their_named_direction(image):
    zoom = motions.fitted_scene(image, motions.MOTIONS_BY_NAME["zoom_in"], 64, 96)
    np.testing.assert_allclose(zoom.frame(0)[32], zoom.frame(0)[32])
    # Zooming in: the centre pixel stays, the picture's spread around it grows (lower local contrast).
    assert np.abs(zoom.frame(60) - zoom.frame(0)).mean() > 3
    tilt = motions.fitted_scene(image, motions.MOTIONS_BY_NAME["tilt_down"], 64, 96)
    shift = round(8 * motions.PAN_SPEED)  # tilting down: the picture moves up by the speed each frame
    np.testing.assert_allclose(tilt.frame(8)[:-shift], tilt.frame(0)[shift:], atol=1e-3)


def test_the_bouncing_sprite_stays_in_the_frame_and_reflects(image):
    rng = np.random.default_rng(3)
    scene = motions.random_scene(rng, [image], motions.MOTIONS_BY_NAME["bounce"], 64, 96)
    video = scene.video(400).astype(np.float64)
    background = motions.Scene(scene.image, motions.MOTIONS_BY_NAME["pan_right"], 64, 96, scene.center, scene.scale)
    static = background.frame(0)  # zero-velocity camera: pan at t=0 is the still background
    moved = np.abs(video - static).sum(-1) > 30
    assert moved.any(axis=(1, 2)).all()  # the sprite is visible in every frame
    assert motions._bounce(5.0, 10.0) == 5.0 and motions._bounce(15.0, 10.0) == 5.0
    assert motions._bounce(25.0, 10.0) == 5.0


def test_videos_are_reproducible_from_the_seed(image):
    def make(seed: int) -> np.ndarray:
        rng = np.random.default_rng(seed)
        return motions.random_scene(rng, [image], motions.MOTIONS_BY_NAME["bounce"], 64, 96).video(5)

    assert np.array_equal(make(1), make(1))
    assert not np.array_equal(make(1), make(2))


def test_metrics_and_the_drift_measure():
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 256, (32, 48, 3), dtype=np.uint8)
    noisy = np.clip(frame + rng.normal(0, 20, frame.shape), 0, 255).astype(np.uint8)
    assert psnr(frame, frame) == 60.0
    assert 20 < psnr(noisy, frame) < 25  # sigma 20 noise: about 22 dB
    assert drift_metrics.ssim(frame, frame) == pytest.approx(1.0)
    other = rng.integers(0, 256, frame.shape, dtype=np.uint8)
    assert drift_metrics.ssim(other, frame) < 0.1 < drift_metrics.ssim(noisy, frame) < 0.99
    assert drift_metrics.drift(np.full(100, 3.0)) == 0.0
    ramp = np.linspace(0, 1, 100)
    assert drift_metrics.drift(ramp) == pytest.approx(0.85, abs=0.02)  # mean of first 15% vs last 15%
    assert drift_metrics.per_second(np.arange(60), 30).tolist() == [14.5, 44.5]
    assert drift_metrics.sharpness(noisy) > drift_metrics.sharpness(np.full_like(frame, 128))
