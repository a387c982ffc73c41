"""The bridge generator on its own (tiny preset): the sampler pins both anchor latents exactly, renders are
seeded, a LoRA applies for one clip and leaves no trace, presets and settings are checked clearly."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from fp_timeline.engine.generator import CancelToken, Dependency  # noqa: E402
from fp_timeline.engine.validation import recipe_problems  # noqa: E402
from fp_timeline.project.recipe import ContextMode  # noqa: E402
from fp_timeline_plugins.framepack_bridge import presets  # noqa: E402
from fp_timeline_plugins.framepack_bridge.generator import FramePackBridgeGenerator  # noqa: E402
from fp_timeline_plugins.framepack_bridge.layout import latent_paddings  # noqa: E402
from fp_timeline_plugins.framepack_bridge.loop import Anchors, sample_bridge  # noqa: E402
from fp_timeline_plugins.framepack_f1.config import FramePackF1Config  # noqa: E402
from fp_timeline_plugins.framepack_f1.loop import Conditioning  # noqa: E402
from tests.f1_helpers import ListSink, job, recipe, write_image  # noqa: E402
from tests.test_f1_lora import _diffusers_file, _qkv_lora  # noqa: E402


@pytest.fixture(scope="module")
def generator():
    torch.set_num_threads(2)
    return FramePackBridgeGenerator(preset="tiny")


def _keyframes(tmp_path, name: str, loras=None, media=None) -> np.ndarray:
    """A keyframes clip (start image, end image), 2 sections of window 3: 25 frames."""
    start, end = write_image(tmp_path / "start.png", 1), write_image(tmp_path / "end.png", 2)
    params = {"latent_window_size": 3, "steps": 3, "end_image": "end.png", **({"loras": loras} if loras else {})}
    rec = recipe("a kite", 5, 2).replace(generator="framepack_bridge", params=params)
    j = dataclasses.replace(job(tmp_path, name, rec, image=start), media={"end.png": end, **(media or {})})
    sink = ListSink()
    FramePackBridgeGenerator(preset="tiny").render(j, sink, lambda p: None, CancelToken())
    return np.stack(sink.frames)


@pytest.mark.parametrize("sampler", ["unipc", "euler"])
def test_the_sampler_pins_the_first_latent_to_the_start_and_the_last_to_the_end(generator, sampler):
    components = generator.components({"preset": "tiny", "device": "cpu"})
    g = torch.Generator().manual_seed(0)
    start, end = torch.randn(1, 16, 1, 4, 4, generator=g), torch.randn(1, 16, 1, 4, 4, generator=g)
    cond = Conditioning(text=_text(components), image_embeds=torch.randn(1, 16, 32, generator=g), negative=None)
    config = FramePackF1Config(latent_window_size=3, steps=3, sampler=sampler)
    rng = torch.Generator().manual_seed(1)
    latents = sample_bridge(components.transformer, cond, Anchors(start, end), config, 2, rng)
    assert latents.shape == (1, 16, 1 + 2 * 3, 4, 4)
    assert torch.equal(latents[:, :, :1], start)
    assert torch.allclose(latents[:, :, -1:], end, atol=1e-5)
    assert not torch.allclose(latents[:, :, -2:-1], end, atol=1e-2)  # only the last one is pinned


def _text(components):
    from fp_timeline_plugins.framepack_f1.encoders import encode_prompt

    return encode_prompt(components, "a kite")


def test_paddings_follow_framepack():
    assert latent_paddings(1) == [0]
    assert latent_paddings(3) == [2, 1, 0]
    assert latent_paddings(6) == [3, 2, 2, 2, 1, 0]


def test_keyframes_render_is_seeded_and_a_lora_changes_it_and_leaves_no_trace(tmp_path):
    base = _keyframes(tmp_path, "A")
    assert base.shape == (25, 32, 32, 3)
    assert np.array_equal(_keyframes(tmp_path, "B"), base)
    lora = _diffusers_file(tmp_path / "style.safetensors", *_qkv_lora(1))
    styled = _keyframes(tmp_path, "C", [{"path": "style.safetensors", "weight": 1.0}], {"style.safetensors": lora})
    assert np.abs(styled.astype(int) - base.astype(int)).mean() > 1.0
    assert np.array_equal(_keyframes(tmp_path, "D"), base)


class _Killed(Exception):
    pass


def test_a_killed_bridge_resumes_after_its_last_sampled_section_with_the_same_frames(tmp_path):
    """3 sections of window 3 (37 frames); killed once the second section sampled starts."""
    start, end = write_image(tmp_path / "start.png", 1), write_image(tmp_path / "end.png", 2)
    params = {"latent_window_size": 3, "steps": 2, "end_image": "end.png"}
    rec = recipe("a kite", 5, 3).replace(generator="framepack_bridge", params=params)

    def render(name: str, progress=lambda p: None) -> tuple[np.ndarray, list]:
        j = dataclasses.replace(job(tmp_path, name, rec, image=start), media={"end.png": end}, recipe_hash="same")
        sink, events = ListSink(), []
        report = lambda p: (events.append(p), progress(p))  # noqa: E731
        FramePackBridgeGenerator(preset="tiny").render(j, sink, report, CancelToken())
        return np.stack(sink.frames), events

    full, _ = render("full")

    def die_in_second_section(p):
        if p.stage == "sample" and p.section == 2:
            raise _Killed

    with pytest.raises(_Killed):
        render("killed", die_in_second_section)
    resumed, events = render("killed")  # a fresh sink, the same work_dir
    assert [p.section for p in events if p.stage == "resume"] == [1]
    assert {p.section for p in events if p.stage == "sample"} == {2, 3}  # the first was not sampled again
    assert resumed.shape == (37, 32, 32, 3)
    np.testing.assert_array_equal(resumed, full)


def test_a_bridge_without_its_neighbours_frames_says_which_is_missing(generator, tmp_path):
    rec = recipe("x", 1, 1).replace(generator="framepack_bridge", image=None, context=ContextMode.CARRY)
    j = dataclasses.replace(
        job(tmp_path, "B", rec), neighbour_frames={Dependency.PREVIOUS_LAST_FRAME.value: np.zeros((32, 32, 3), "u1")}
    )
    with pytest.raises(ValueError, match="the next clip's first frame"):
        generator.render(j, ListSink(), lambda p: None, CancelToken())


def test_dependencies_follow_the_images_the_recipe_has():
    bridge = recipe("x", 1, 1).replace(generator="framepack_bridge", image=None, context=ContextMode.CARRY)
    gen = FramePackBridgeGenerator()
    assert gen.dependencies(bridge) == {Dependency.PREVIOUS_LAST_FRAME, Dependency.NEXT_FIRST_FRAME}
    keys = bridge.replace(image="a.png", context=ContextMode.FRESH, params={"end_image": "b.png"})
    assert gen.dependencies(keys) == set()
    assert gen.dependencies(keys.replace(params={})) == {Dependency.NEXT_FIRST_FRAME}


def test_settings_f1_has_but_the_bridge_does_not_are_refused_by_name():
    rec = recipe("x", 1, 1).replace(generator="framepack_bridge", params={"teacache": True})
    problems = recipe_problems(rec)
    assert [p.field for p in problems] == ["params.teacache"]
    assert "unknown framepack_bridge parameter 'teacache'" in problems[0].message


def test_missing_real_weights_name_the_original_framepack_transformer(tmp_path, monkeypatch):
    from fp_timeline_plugins.framepack_f1.real import MissingWeightsError

    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty_cache"))
    with pytest.raises(MissingWeightsError) as err:
        presets.load_real_bridge(torch.device("cpu"), torch.float32)
    message = str(err.value)
    assert "FramePack bridge 'real' preset" in message and str(tmp_path / "empty_cache") in message
    assert "lllyasviel/FramePackI2V_HY" in message and "hunyuanvideo-community/HunyuanVideo/vae" in message
    assert "FramePack_F1" not in message  # it needs the original model, not F1's


def test_auto_takes_real_only_when_its_weights_are_cached(monkeypatch):
    from fp_timeline_plugins.framepack_f1 import real

    asked = []
    monkeypatch.setattr(real, "missing_weights", lambda repo: asked.append(repo) or ["x"])
    assert presets.resolve_preset({"preset": "auto"}) == "toy"
    monkeypatch.setattr(real, "missing_weights", lambda repo: [])
    assert presets.resolve_preset({"preset": "auto"}) == "real"
    assert asked == ["lllyasviel/FramePackI2V_HY"]
    with pytest.raises(ValueError, match="unknown FramePack bridge preset 'huge'"):
        presets.resolve_preset({"preset": "huge"})


def test_takes_of_the_bridge_are_told_apart_from_f1_and_by_preset():
    from fp_timeline_plugins.framepack_f1.generator import FramePackF1Generator

    bridge = FramePackBridgeGenerator().runtime_identity({"preset": "tiny", "device": "cpu"})
    f1 = FramePackF1Generator().runtime_identity({"preset": "tiny", "device": "cpu"})
    toy = FramePackBridgeGenerator().runtime_identity({"preset": "toy", "device": "cpu"})
    assert bridge.digest != f1.digest and bridge.digest != toy.digest
    assert bridge.fields["sampling"] == "inverted_anti_drifting"


def test_landing_cross_fades_the_end_frame_into_the_last_four():
    from fp_timeline_plugins.framepack_bridge.render import land_on

    frames = [np.full((2, 2, 3), 100, np.uint8) for _ in range(6)]
    landed = land_on(frames, np.full((2, 2, 3), 220, np.uint8))
    assert [int(f[0, 0, 0]) for f in landed] == [100, 100, 100, 140, 180, 220]
    assert frames[-1][0, 0, 0] == 100  # the input is left as it was
