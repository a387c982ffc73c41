"""LoRA per clip on the tiny F1 model: it changes the output, its removal restores it bit for bit, and the
HunyuanVideo key formats FramePack-Studio accepts load as the same adapter."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("peft")

from safetensors.torch import save_file  # noqa: E402

from fp_timeline.engine.generator import CancelToken  # noqa: E402
from fp_timeline.engine.validation import recipe_problems  # noqa: E402
from fp_timeline_plugins.framepack_f1.generator import FramePackF1Generator  # noqa: E402
from fp_timeline_plugins.framepack_f1.lora import LoraError, diffusers_state_dict  # noqa: E402
from tests.f1_helpers import ListSink, job, recipe, write_image  # noqa: E402

_RENDERS = itertools.count()
INNER = 20  # the tiny transformer's heads * head dim
RANK = 4


@pytest.fixture(scope="module")
def generator():
    torch.set_num_threads(2)
    return FramePackF1Generator(preset="tiny")


def _qkv_lora(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """lora_A (rank x inner) and a fused q|k|v lora_B (3*inner x rank), large enough to show."""
    g = torch.Generator().manual_seed(seed)
    return torch.randn(RANK, INNER, generator=g), torch.randn(3 * INNER, RANK, generator=g)


def _diffusers_file(path, a, b):
    state = {}
    for name, part in zip(("to_q", "to_k", "to_v"), b.chunk(3, dim=0), strict=True):
        state[f"transformer.transformer_blocks.0.attn.{name}.lora_A.weight"] = a.clone()
        state[f"transformer.transformer_blocks.0.attn.{name}.lora_B.weight"] = part.contiguous()
    save_file(state, str(path))
    return path


def _original_file(path, a, b):
    save_file(
        {
            "diffusion_model.double_blocks.0.img_attn_qkv.lora_A.weight": a,
            "diffusion_model.double_blocks.0.img_attn_qkv.lora_B.weight": b,
        },
        str(path),
    )
    return path


def _kohya_file(path, a, b, alpha: float):
    module = "lora_unet_double_blocks_0_img_attn_qkv"
    save_file(
        {
            f"{module}.lora_down.weight": a,
            f"{module}.lora_up.weight": b,
            f"{module}.alpha": torch.tensor(alpha),
        },
        str(path),
    )
    return path


def _render(generator, tmp_path, loras=None, media=None) -> np.ndarray:
    image = tmp_path / "start.png"
    if not image.exists():
        write_image(image, 5)
    params = {"latent_window_size": 3, "steps": 3}
    rec = recipe("a kite", 5, 1)
    rec = rec.replace(params={**rec.params, **({"loras": loras} if loras else {})})
    # A fresh work folder each time: section checkpoints of an earlier render must not be resumed.
    clip = f"A{next(_RENDERS)}"
    j = dataclasses.replace(job(tmp_path, clip, rec, image=image), media=media or {})
    sink = ListSink()
    generator.render(j, sink, lambda p: None, CancelToken())
    assert params.items() <= rec.params.items()
    return np.stack(sink.frames)


def test_a_lora_changes_the_clip_and_its_removal_restores_it_bit_for_bit(generator, tmp_path):
    base = _render(generator, tmp_path)
    lora = _diffusers_file(tmp_path / "style.safetensors", *_qkv_lora(1))
    styled = _render(generator, tmp_path, [{"path": "style.safetensors", "weight": 1.0}], {"style.safetensors": lora})
    assert np.abs(styled.astype(int) - base.astype(int)).mean() > 1.0
    assert not getattr(generator.components({"preset": "tiny", "device": "cpu"}).transformer, "peft_config", None)
    again = _render(generator, tmp_path)
    assert np.array_equal(again, base)


def test_the_lora_weight_scales_its_effect(generator, tmp_path):
    lora = _diffusers_file(tmp_path / "style.safetensors", *_qkv_lora(1))
    media = {"style.safetensors": lora}
    base = _render(generator, tmp_path)
    off = _render(generator, tmp_path, [{"path": "style.safetensors", "weight": 0.0}], media)
    full = _render(generator, tmp_path, [{"path": "style.safetensors", "weight": 1.0}], media)
    assert np.array_equal(off, base)
    assert not np.array_equal(full, base)
    other = _diffusers_file(tmp_path / "other.safetensors", *_qkv_lora(7))
    both = [{"path": "style.safetensors", "weight": 1.0}, {"path": "other.safetensors", "weight": 0.0}]
    stacked = _render(generator, tmp_path, both, {**media, "other.safetensors": other})
    assert np.array_equal(stacked, full)  # two adapters on the same layers, the second at weight 0


def test_original_and_musubi_key_formats_load_as_the_diffusers_adapter(generator, tmp_path):
    a, b = _qkv_lora(2)
    reference = _render(
        generator, tmp_path, [{"path": "d.safetensors"}], {"d.safetensors": _diffusers_file(tmp_path / "d.st", a, b)}
    )
    original = _original_file(tmp_path / "o.st", a, b)
    kohya = _kohya_file(tmp_path / "k.st", a, b * 2, alpha=RANK / 2)  # alpha/rank = 0.5 undoes the doubling
    for stored, path in (("o.safetensors", original), ("k.safetensors", kohya)):
        frames = _render(generator, tmp_path, [{"path": stored}], {stored: path})
        assert np.array_equal(frames, reference), stored


def test_key_conversion_names_the_diffusers_modules(tmp_path):
    a, b = _qkv_lora(3)
    state = diffusers_state_dict(_kohya_file(tmp_path / "k.st", a, b, alpha=RANK))
    assert sorted(state) == sorted(
        f"transformer.transformer_blocks.0.attn.{m}.lora_{x}.weight" for m in ("to_q", "to_k", "to_v") for x in "AB"
    )


def test_a_lora_for_another_model_is_a_clear_error_and_leaves_no_adapter(generator, tmp_path):
    wrong = tmp_path / "wrong.safetensors"
    save_file({"unet.down_blocks.0.attn.to_q.lora_A.weight": torch.zeros(4, 8)}, str(wrong))
    with pytest.raises(LoraError, match="wrong.safetensors"):
        _render(generator, tmp_path, [{"path": "wrong.safetensors"}], {"wrong.safetensors": wrong})
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"not a safetensors file")
    with pytest.raises(LoraError, match="junk.safetensors"):
        _render(generator, tmp_path, [{"path": "junk.safetensors"}], {"junk.safetensors": junk})
    assert not getattr(generator.components({"preset": "tiny", "device": "cpu"}).transformer, "peft_config", None)


def test_validate_checks_the_lora_list():
    rec = recipe("a kite", 5, 1)
    bad = rec.replace(params={**rec.params, "loras": [{"path": "x.safetensors", "weight": 9}]})
    problems = recipe_problems(bad)
    assert [p.field for p in problems] == ["params.loras"] and "weight" in problems[0].message


def test_release_frees_the_loaded_models(generator):
    """Last in this file: the engine calls ``release`` when it switches generators."""
    import weakref

    transformer = weakref.ref(generator.components({"preset": "tiny", "device": "cpu"}).transformer)
    assert transformer() is not None
    generator.release()
    assert transformer() is None
