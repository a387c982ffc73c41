"""Speed options: attention backend through diffusers' dispatcher, CPU threads, regional compile's limits."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")

from fp_timeline_plugins.framepack_f1.memory_plan import MemoryPlan  # noqa: E402
from fp_timeline_plugins.framepack_f1.resources import default_threads, resolve_threads  # noqa: E402
from fp_timeline_plugins.framepack_f1.speed import compile_note, resolve_attention, use_attention  # noqa: E402
from fp_timeline_plugins.framepack_f1.tiny import build_tiny_transformer  # noqa: E402
from tests.test_f1_offload import _run  # noqa: E402


def test_attention_backend_is_checked_and_applied():
    assert resolve_attention({}) == "native"
    with pytest.raises(ValueError, match="unknown attention backend 'bogus'"):
        resolve_attention({"attention": "bogus"})
    with pytest.raises(ValueError, match="unknown attention backend"):
        resolve_attention({"attention": "flash_hub"})  # would download kernels: refused
    expected = _run(build_tiny_transformer())
    model = build_tiny_transformer()
    use_attention(model, resolve_attention({"attention": "_native_math"}))
    processors = [m.processor for m in model.modules() if hasattr(getattr(m, "processor", None), "_attention_backend")]
    assert processors and {str(getattr(p._attention_backend, "value", "")) for p in processors} == {"_native_math"}
    torch.testing.assert_close(_run(model), expected, rtol=1e-5, atol=1e-5)
    # The choice stays on that model: a model built afterwards computes exactly as before.
    assert torch.equal(_run(build_tiny_transformer()), expected)


def test_the_threads_default_follows_the_cores_not_the_load_and_bad_values_are_refused(monkeypatch):
    """The thread count changes a render's float bits: the default must not change with the load."""
    for cores, expected in ((1, 1), (2, 1), (16, 15), (64, 16)):
        monkeypatch.setattr("fp_timeline_plugins.framepack_f1.resources.cpu_count", lambda cores=cores: cores)
        seen = set()
        for load in (0.0, 1.7, float(cores), 40.0):
            monkeypatch.setattr("os.getloadavg", lambda load=load: (load, load, load))
            seen.add(default_threads())
            assert resolve_threads({"threads": "auto"}) == default_threads()
        assert seen == {expected}, (cores, seen)
    assert resolve_threads({"threads": "3"}) == 3  # asked for: as asked, whatever the cores
    for bad in (0, -2, "many"):
        with pytest.raises(ValueError, match="threads must be a positive integer"):
            resolve_threads({"threads": bad})


def test_compile_only_where_blocks_stay_on_the_gpu():
    gpu_plan, group_plan = MemoryPlan("gpu", "cuda"), MemoryPlan("group", "cuda")
    assert compile_note({}, torch.device("cuda"), group_plan) is None  # not asked for
    assert compile_note({"compile": True}, torch.device("cuda"), gpu_plan) is None
    assert "group plan" in compile_note({"compile": True}, torch.device("cuda"), group_plan)
    assert "only on CUDA" in compile_note({"compile": True}, torch.device("cpu"), gpu_plan)
