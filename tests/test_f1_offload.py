"""Memory plans applied to real model classes: outputs unchanged, hooks in place, disk folders checked."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")

from fp_timeline_plugins.framepack_f1.layout import section_indices  # noqa: E402
from fp_timeline_plugins.framepack_f1.memory_plan import MemoryPlan  # noqa: E402
from fp_timeline_plugins.framepack_f1.offload import MANIFEST, offload_folder, place  # noqa: E402
from fp_timeline_plugins.framepack_f1.presets import load_components  # noqa: E402
from fp_timeline_plugins.framepack_f1.tiny import build_tiny_transformer  # noqa: E402


def _inputs() -> dict:
    idx = section_indices(2)
    g = torch.Generator().manual_seed(0)

    def r(*shape):
        return torch.randn(*shape, generator=g)

    return dict(
        hidden_states=r(1, 16, 2, 4, 4),
        timestep=torch.tensor([500.0]),
        encoder_hidden_states=r(1, 6, 16),
        encoder_attention_mask=torch.ones(1, 6, dtype=torch.bool),
        pooled_projections=r(1, 8),
        image_embeds=r(1, 16, 32),
        guidance=torch.tensor([10000.0]),
        indices_latents=idx.latents,
        latents_clean=r(1, 16, 2, 4, 4),
        indices_latents_clean=idx.clean,
        latents_history_2x=r(1, 16, 2, 4, 4),
        indices_latents_history_2x=idx.history_2x,
        latents_history_4x=r(1, 16, 16, 4, 4),
        indices_latents_history_4x=idx.history_4x,
        return_dict=False,
    )


def _run(model) -> torch.Tensor:
    with torch.no_grad():
        return model(**_inputs())[0]


def _hooks(model) -> set[str]:
    return {name for m in model.modules() if hasattr(m, "_diffusers_hook") for name in m._diffusers_hook.hooks}


@pytest.mark.parametrize("plan", ["mmap", "disk"])
def test_bf16_weights_computed_in_float32_block_by_block_equal_a_whole_float32_model(plan, tmp_path):
    expected = _run(build_tiny_transformer().to(torch.bfloat16).float())
    model = build_tiny_transformer().to(torch.bfloat16)
    place(model, MemoryPlan(plan, "cpu"), torch.device("cpu"), torch.float32, tmp_path, "tiny-bf16")
    assert "fp_timeline_cast_per_block" in _hooks(model)
    assert ("group_offloading" in _hooks(model)) == (plan == "disk")
    torch.testing.assert_close(_run(model), expected, rtol=0, atol=0)
    torch.testing.assert_close(_run(model), expected, rtol=0, atol=0)  # twice: blocks were put back
    assert all(p.dtype == torch.bfloat16 for p in model.parameters())  # still stored as bf16


def test_disk_folder_is_reused_only_for_the_same_complete_checkpoint(tmp_path):
    model = build_tiny_transformer()
    place(model, MemoryPlan("disk", "cpu"), torch.device("cpu"), torch.float32, tmp_path, "checkpoint-A")
    folder = offload_folder(tmp_path, "checkpoint-A")
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["checkpoint"] == "checkpoint-A" and manifest["files"]
    expected = _run(model)

    # A stale folder (say, a run killed while writing): wiped, not trusted.  Poison one block file.
    first = folder / manifest["files"][0]
    first.write_bytes(b"not safetensors")
    (folder / MANIFEST).unlink()
    again = build_tiny_transformer()
    place(again, MemoryPlan("disk", "cpu"), torch.device("cpu"), torch.float32, tmp_path, "checkpoint-A")
    torch.testing.assert_close(_run(again), expected, rtol=0, atol=0)

    # A complete folder for this checkpoint is reused as it is (its files are not rewritten).
    mtimes = {p.name: p.stat().st_mtime_ns for p in folder.glob("group_*.safetensors")}
    third = build_tiny_transformer()
    place(third, MemoryPlan("disk", "cpu"), torch.device("cpu"), torch.float32, tmp_path, "checkpoint-A")
    assert {p.name: p.stat().st_mtime_ns for p in folder.glob("group_*.safetensors")} == mtimes
    torch.testing.assert_close(_run(third), expected, rtol=0, atol=0)
    assert offload_folder(tmp_path, "checkpoint-B") != folder


def test_disk_plan_needs_a_folder():
    with pytest.raises(ValueError, match="needs a folder"):
        place(build_tiny_transformer(), MemoryPlan("disk", "cpu"), torch.device("cpu"), torch.float32, None, "x")


def test_an_exclusive_plan_never_holds_the_transformer_and_the_text_encoders_together():
    components = load_components("tiny", torch.device("cpu"), torch.float32, offload="mmap")
    components.plan = MemoryPlan("mmap", "cpu", exclusive=True)
    transformer = components.get_transformer()
    components.get_text_encoders()
    assert components.transformer is None and components.text_sessions == 1
    reloaded = components.get_transformer()
    assert components.text_encoders is None
    for a, b in zip(transformer.state_dict().values(), reloaded.state_dict().values(), strict=True):
        assert torch.equal(a, b)  # the same weights come back
