"""Host RAM of one F1 section under each memory plan, as ratios to the checkpoint size (CPU).

Writes a ~300 M-parameter FramePack transformer (bf16 safetensors, HF cache layout; see
``f1_bench_model.py``) to a temp folder, then for each plan starts a fresh process that loads it and
samples one section, while this process reads ``/proc/<pid>/status`` (VmRSS, RssAnon) every 50 ms.
Reported: peak total and anonymous RSS above the process's baseline after its imports, during loading
and during sampling, divided by the checkpoint's size.  Side by side in one run:

- ``from_pretrained_fp32``  plain diffusers load converted to float32 (what the project did on the CPU)
- ``from_pretrained_bf16``  plain diffusers load in the stored dtype, computing in bf16
- ``diffusers_disk``        plain ``apply_group_offloading`` to disk, computing in bf16
- ``mmap``                  this project's default CPU plan (mmapped bf16, float32 block by block)
- ``disk``                  this project's low-RAM plan (hash-checked disk offload, float32 block by block)
- ``disk_reuse``            the same, a second time: the complete block folder is reused, not rewritten

Targets: ``mmap`` <= 1.1x total and <= 0.2x anonymous; ``disk`` <= 0.4x total while sampling.

    python benchmarks/memory.py [--steps 2] [--window 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PLANS = ("from_pretrained_fp32", "from_pretrained_bf16", "diffusers_disk", "mmap", "disk", "disk_reuse")
INTERVAL = 0.05


def read_status(pid: int) -> tuple[int, int] | None:
    """(VmRSS, RssAnon) in bytes, or None once the process is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    values = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "RssAnon"):
            values[key] = int(rest.split()[0]) * 1024
    return (values["VmRSS"], values["RssAnon"]) if len(values) == 2 else None


def measure(plan: str, snapshot: Path, work: Path, steps: int, window: int) -> dict:
    """Run one plan in a fresh process, sampling its memory from here."""
    cmd = [sys.executable, __file__, "--child", plan, "--snapshot", str(snapshot), "--work", str(work)]
    cmd += ["--steps", str(steps), "--window", str(window)]
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, bufsize=1)
    marks: list[tuple[float, str]] = []
    samples: list[tuple[float, int, int]] = []

    def read_marks() -> None:
        for line in child.stdout:
            marks.append((time.monotonic(), line.strip()))

    reader = threading.Thread(target=read_marks, daemon=True)
    reader.start()
    while child.poll() is None:
        status = read_status(child.pid)
        if status is not None:
            samples.append((time.monotonic(), *status))
        time.sleep(INTERVAL)
    reader.join()
    if child.returncode != 0:
        raise SystemExit(f"{plan}: child failed with status {child.returncode}")
    at = {name: t for t, name in marks if name in ("ready", "loaded", "sampled")}
    baseline = [s for s in samples if s[0] <= at["ready"]][-1]

    def peak(start: float, end: float) -> tuple[int, int]:
        window_samples = [s for s in samples if start <= s[0] <= end] or [baseline]
        return max(s[1] for s in window_samples) - baseline[1], max(s[2] for s in window_samples) - baseline[2]

    load_total, load_anon = peak(at["ready"], at["loaded"])
    sample_total, sample_anon = peak(at["loaded"], at["sampled"])
    seconds = next((float(m.split()[1]) for _, m in marks if m.startswith("seconds")), 0.0)
    return {
        "load_total": load_total,
        "load_anon": load_anon,
        "sample_total": sample_total,
        "sample_anon": sample_anon,
        "sample_seconds": seconds,
    }


def child(plan: str, snapshot: Path, work: Path, steps: int, window: int) -> None:
    """Load the model as ``plan`` says and sample one section; print phase marks for the parent."""
    import torch
    from diffusers import HunyuanVideoFramepackTransformer3DModel
    from diffusers.hooks import apply_group_offloading
    from f1_bench_model import section_inputs

    from fp_timeline_plugins.framepack_f1.config import FramePackF1Config
    from fp_timeline_plugins.framepack_f1.loop import draw_section_noise, sample_section
    from fp_timeline_plugins.framepack_f1.memory_plan import MemoryPlan
    from fp_timeline_plugins.framepack_f1.offload import place
    from fp_timeline_plugins.framepack_f1.resources import return_large_frees_to_os
    from fp_timeline_plugins.framepack_f1.weights import checkpoint_id

    torch.set_num_threads(1)
    state, cond, rng = section_inputs()
    config = FramePackF1Config(latent_window_size=window, steps=steps, sampler="euler")
    time.sleep(0.3)  # let the parent take baseline samples
    print("ready", flush=True)

    stored = torch.float32 if plan == "from_pretrained_fp32" else torch.bfloat16
    model = HunyuanVideoFramepackTransformer3DModel.from_pretrained(snapshot, torch_dtype=stored).eval()
    compute = torch.float32 if plan in ("from_pretrained_fp32", "mmap", "disk", "disk_reuse") else torch.bfloat16
    if plan == "diffusers_disk":
        apply_group_offloading(
            model, torch.device("cpu"), offload_type="block_level", num_blocks_per_group=1,
            offload_to_disk_path=str(work / "diffusers_disk"),
        )  # fmt: skip
    elif plan in ("mmap", "disk", "disk_reuse"):
        return_large_frees_to_os()
        name = plan.removesuffix("_reuse")
        place(model, MemoryPlan(name, "cpu"), torch.device("cpu"), compute, work, checkpoint_id(snapshot))
    time.sleep(0.2)
    print("loaded", flush=True)

    noise = draw_section_noise(rng, 16, config, *state.anchor.shape[-2:])
    started = time.monotonic()
    sample_section(model, state, cond, noise, config, dtype=compute)
    print(f"seconds {time.monotonic() - started:.3f}", flush=True)
    time.sleep(0.2)
    print("sampled", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--window", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="keep the checkpoint here (reused by later runs)")
    parser.add_argument("--plans", default=",".join(PLANS))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--snapshot", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.snapshot, args.work, args.steps, args.window)
        return

    from f1_bench_model import checkpoint_bytes, write_hf_layout

    with tempfile.TemporaryDirectory(prefix="fp_memory_") as tmp:
        root = args.keep or Path(tmp)
        snapshot = write_hf_layout(root)
        size = checkpoint_bytes(snapshot)
        print(f"checkpoint: {size / 2**20:.0f} MiB bf16 at {snapshot}")
        results = {}
        for plan in args.plans.split(","):
            work = Path(tmp) / f"work_{plan.removesuffix('_reuse')}"  # disk_reuse finds disk's folder
            work.mkdir(exist_ok=True)
            raw = measure(plan, snapshot, work, args.steps, args.window)
            results[plan] = {k: round(v / size, 3) if k != "sample_seconds" else v for k, v in raw.items()}
            print(f"{plan:22s} " + "  ".join(f"{k} {v}" for k, v in results[plan].items()), flush=True)
    targets = {}
    if "mmap" in results:
        m = results["mmap"]
        targets["mmap_total_le_1.1"] = max(m["load_total"], m["sample_total"]) <= 1.1
        targets["mmap_anon_le_0.2"] = max(m["load_anon"], m["sample_anon"]) <= 0.2
    if "disk" in results:
        targets["disk_sample_total_le_0.4"] = results["disk"]["sample_total"] <= 0.4
    print(json.dumps({"checkpoint_bytes": size, "ratios_to_checkpoint": results, "targets_met": targets}))


if __name__ == "__main__":
    main()
