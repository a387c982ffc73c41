"""MagCache beside First Block Cache: checked params, ratios (published / calibrated), lossy, no leftover state."""

from __future__ import annotations

import types

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")

from fp_timeline_plugins.framepack_f1.config import FramePackF1Config, check_params  # noqa: E402
from fp_timeline_plugins.framepack_f1.magcache import FRAMEPACK_MAG_RATIOS, calibrate, ratios_for  # noqa: E402
from fp_timeline_plugins.framepack_f1.tiny import build_tiny_transformer  # noqa: E402
from tests.f1_helpers import recipe, write_image  # noqa: E402
from tests.test_f1_generator import _render, generator, job  # noqa: E402, F401


def test_magcache_params_are_checked():
    assert check_params({"magcache": True}) == []
    assert any(
        k == "magcache" and "guidance_scale 1" in m for k, m in check_params({"magcache": True, "guidance_scale": 3})
    )
    assert any("not both" in m for _, m in check_params({"magcache": True, "teacache": True}))
    assert [k for k, _ in check_params({"magcache_max_skip": 0, "magcache_threshold": 2})] == [
        "magcache_threshold",
        "magcache_max_skip",
    ]
    assert FramePackF1Config.from_params({"magcache": True, "magcache_threshold": 0.2}).magcache_threshold == 0.2


def test_real_model_uses_published_ratios_and_others_are_calibrated_per_step():
    real = types.SimpleNamespace(preset="real")
    assert ratios_for(real, FramePackF1Config(), 76, 80) == list(FRAMEPACK_MAG_RATIOS)
    assert len(FRAMEPACK_MAG_RATIOS) == 25
    config = FramePackF1Config(latent_window_size=2, steps=6)
    ratios = calibrate(build_tiny_transformer(), config, 4, 4, torch.device("cpu"), torch.float32)
    assert len(ratios) == 6 and ratios[0] == 1.0 and all(r > 0 for r in ratios)
    assert ratios == calibrate(build_tiny_transformer(), config, 4, 4, torch.device("cpu"), torch.float32)


@pytest.mark.slow
def test_magcache_is_lossy_opt_in_and_leaves_no_state(generator, tmp_path):  # noqa: F811
    image = write_image(tmp_path / "start.png", 13)
    plain = recipe("a comet", 5, 2, steps=10)
    cached = recipe("a comet", 5, 2, steps=10, magcache=True, magcache_threshold=0.5, magcache_retention=0.1)
    before, _ = _render(generator, job(tmp_path / "a", "A", plain, image=image))
    skipped, _ = _render(generator, job(tmp_path / "b", "A", cached, image=image))
    after, _ = _render(generator, job(tmp_path / "c", "A", plain, image=image))
    np.testing.assert_array_equal(np.stack(before.frames), np.stack(after.frames))  # hooks removed again
    assert not np.array_equal(np.stack(before.frames), np.stack(skipped.frames))  # it did skip work
