"""The memory plan is chosen from free VRAM and host RAM (pure logic, no torch)."""

from __future__ import annotations

import pytest

from fp_timeline_plugins.framepack_f1.memory_plan import GB, ModelSizes, Resources, choose_plan

REAL = ModelSizes(transformer=int(25.7 * GB), text_encoders=int(15.2 * GB), others=int(1.3 * GB))


def gpu(vram_gb: float, ram_gb: float) -> Resources:
    return Resources("cuda", int(ram_gb * GB), int(ram_gb * GB), int(vram_gb * GB), int(vram_gb * GB), 16)


def test_a_big_gpu_holds_everything_and_a_huge_one_both_models():
    plan = choose_plan(gpu(79, 200), REAL)
    assert plan.name == "gpu" and not plan.exclusive  # 25.7 + 15.2 + 1.3 + 6 < 79
    plan = choose_plan(gpu(40, 64), REAL)
    assert plan.name == "gpu" and plan.exclusive  # the transformer fits, Llama too only after it leaves


@pytest.mark.parametrize("vram", [24, 16, 12])
def test_consumer_gpus_offload_by_group_and_pin_only_with_ram_to_spare(vram):
    roomy = choose_plan(gpu(vram, 128), REAL)
    assert roomy.name == "group" and roomy.pinned and roomy.host_anon == REAL.transformer
    tight = choose_plan(gpu(vram, 32), REAL)
    assert tight.name == "group" and not tight.pinned and tight.host_anon == 0
    assert tight.vram < vram * GB
    short = choose_plan(gpu(vram, 16), REAL)
    assert short.name == "disk" and short.exclusive
    assert "cannot cache" in short.explain()


def test_the_cpu_keeps_weights_mmapped_unless_ram_is_short():
    cpu = Resources("cpu", 64 * GB, 64 * GB)
    assert choose_plan(cpu, REAL).name == "mmap"
    assert choose_plan(cpu, REAL, "disk").name == "disk"
    plan = choose_plan(cpu, REAL, "group")  # meaningless without a GPU: said so, mmap used
    assert plan.name == "mmap" and "no meaning without a GPU" in plan.explain()
    assert choose_plan(Resources("cpu", 20 * GB, 24 * GB), REAL).name == "disk"


def test_requests_old_names_and_bad_names():
    assert choose_plan(gpu(24, 64), REAL, "none").name == "gpu"  # asked for, even if it will not fit
    assert choose_plan(gpu(80, 256), REAL, "model").name == "group"
    assert choose_plan(gpu(80, 256), REAL, "disk").name == "disk"
    with pytest.raises(ValueError, match="unknown offload mode 'everything'"):
        choose_plan(gpu(24, 64), REAL, "everything")
