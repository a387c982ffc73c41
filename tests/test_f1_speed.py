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


def test_threads_default_never_oversubscribes_and_bad_values_are_refused(monkeypatch):
    monkeypatch.setattr("os.getloadavg", lambda: (1.7, 0, 0))
    monkeypatch.setattr("fp_timeline_plugins.framepack_f1.resources.cpu_count", lambda: 2)
    assert default_threads() == 1  # a busy 2-core machine: one thread
    monkeypatch.setattr("fp_timeline_plugins.framepack_f1.resources.cpu_count", lambda: 16)
    assert default_threads() == 14
    monkeypatch.setattr("os.getloadavg", lambda: (40.0, 0, 0))
    assert default_threads() == 1
    assert resolve_threads({"threads": "3"}) == 3 and resolve_threads({"threads": "auto"}) == 1
    for bad in (0, -2, "many"):
        with pytest.raises(ValueError, match="threads must be a positive integer"):
            resolve_threads({"threads": bad})


def test_compile_only_where_blocks_stay_on_the_gpu():
    gpu_plan, group_plan = MemoryPlan("gpu", "cuda"), MemoryPlan("group", "cuda")
    assert compile_note({}, torch.device("cuda"), group_plan) is None  # not asked for
    assert compile_note({"compile": True}, torch.device("cuda"), gpu_plan) is None
    assert "group plan" in compile_note({"compile": True}, torch.device("cuda"), group_plan)
    assert "only on CUDA" in compile_note({"compile": True}, torch.device("cpu"), gpu_plan)
