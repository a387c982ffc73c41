"""The bridge lands on its anchors: its first frame is the start anchor's and its last frame the end anchor's,
measured with the toy preset (trained VAE, so an image round-trips recognisably).  The same measure on a
plain F1 clip from the same start (no end image) fails the end threshold: the test can fail."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from fp_timeline.engine.generator import CancelToken, Dependency, RenderJob  # noqa: E402
from fp_timeline.project.recipe import ContextMode, Recipe  # noqa: E402
from fp_timeline_plugins.framepack_bridge.generator import FramePackBridgeGenerator  # noqa: E402
from fp_timeline_plugins.framepack_f1.config import FramePackF1Config  # noqa: E402
from fp_timeline_plugins.framepack_f1.encoders import load_image  # noqa: E402
from fp_timeline_plugins.framepack_f1.toy.metrics import psnr  # noqa: E402
from tests.f1_helpers import ListSink  # noqa: E402

ROOT = Path(__file__).resolve().parents[1] / "sample_projects" / "three_shots"
WIDTH, HEIGHT = 144, 96  # the toy's size (test_f1_toy)
PARAMS = {"latent_window_size": 9, "steps": 8}  # one section: 37 frames
PROMPT = "the cat turns its head and looks around"
# Measured (toy preset, CPU float32, seed 1; see the report in tests' output with -s):
#   bridge: first frame vs start 25.7 dB, last frame vs end 24.6 dB (the toy VAE's round trip of each image);
#   plain F1 from the same start: last frame vs the end image about 10 dB.
MIN_START_PSNR = 20.0
MIN_END_PSNR = 17.0


@pytest.fixture(scope="module")
def anchors() -> tuple[np.ndarray, np.ndarray]:
    torch.set_num_threads(1)
    return load_image(ROOT / "chelsea.png", WIDTH, HEIGHT), load_image(ROOT / "coffee.png", WIDTH, HEIGHT)


def render_bridge(tmp_path: Path, start: np.ndarray, end: np.ndarray) -> list[np.ndarray]:
    recipe = Recipe(PROMPT, 1, 37, WIDTH, HEIGHT, 30.0, image=None, generator="framepack_bridge", params=PARAMS)
    recipe = recipe.replace(context=ContextMode.CARRY)
    frames = {Dependency.PREVIOUS_LAST_FRAME.value: start, Dependency.NEXT_FIRST_FRAME.value: end}
    job = RenderJob("bridge", recipe, "h", None, None, tmp_path / "ctx.safetensors", tmp_path, {"preset": "toy"})
    job = RenderJob(**{**job.__dict__, "neighbour_frames": frames})
    sink = ListSink()
    FramePackBridgeGenerator().render(job, sink, lambda _p: None, CancelToken())
    return sink.frames


def render_plain_f1(start: np.ndarray) -> list[np.ndarray]:
    from fp_timeline_plugins.framepack_f1.presets import load_components
    from fp_timeline_plugins.framepack_f1.session import ChainRenderer, ClipSpec

    components = load_components("toy", torch.device("cpu"), torch.float32)
    renderer = ChainRenderer(components, WIDTH, HEIGHT)
    renderer.begin_clip(ClipSpec(PROMPT, 1, 1, FramePackF1Config(**PARAMS), start))
    return renderer.run_section()[1] + renderer.end_clip()


def test_the_bridge_lands_on_both_anchors_and_plain_f1_does_not(tmp_path, anchors):
    start, end = anchors
    bridge = render_bridge(tmp_path, start, end)
    plain = render_plain_f1(start)
    assert len(bridge) == len(plain) == 37
    figures = {
        "bridge first/start": psnr(bridge[0], start),
        "bridge last/end": psnr(bridge[-1], end),
        "f1 first/start": psnr(plain[0], start),
        "f1 last/end": psnr(plain[-1], end),
    }
    print(", ".join(f"{k} {v:.2f} dB" for k, v in figures.items()))
    assert figures["bridge first/start"] >= MIN_START_PSNR
    assert figures["bridge last/end"] >= MIN_END_PSNR
    assert figures["f1 first/start"] >= MIN_START_PSNR  # the same start lands in both
    assert figures["f1 last/end"] < MIN_END_PSNR  # without an end anchor the measure fails
    assert psnr(bridge[len(bridge) // 2], end) < figures["bridge last/end"]  # it moves towards the end, not a still
