"""The real-size F1 transformer on one big GPU (H100/H200 class): seconds per frame, peak VRAM, peak host RAM,
for each memory plan and attention backend.  Random bf16 weights (the released checkpoint's shapes),
608x640 (the 640 bucket), window 9, 25 UniPC steps, no step skipping, one section timed after a warm-up.

Goal: <= 0.85 s/frame (>= 60% of bf16 peak; the ideal at 60% is ~0.58 s/frame, ~12.4 PFLOP a section).

    python benchmarks/gpu_real_size.py [--plans gpu,group,disk] [--backends native,flash,_flash_3,sage]
                                       [--steps 25] [--work /tmp/fp_gpu_bench] [--compile]

``gpu`` builds the weights on the GPU directly; ``group`` and ``disk`` first save them as a bf16
safetensors checkpoint under ``--work`` (25.7 GB, reused by later runs) and load it mmapped, as the
project does.  Each measurement prints a line; the figures come last as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from pathlib import Path

import torch

from fp_timeline_plugins.framepack_f1.architecture import f1_transformer_config

REAL_CONFIG = f1_transformer_config(
    heads=24,
    head_dim=128,
    layers=20,
    single_layers=40,
    refiner_layers=2,
    text_dim=4096,
    pooled_dim=768,
    image_dim=1152,
    rope_axes=(16, 56, 56),
)
HEIGHT, WIDTH, WINDOW = 608, 640, 9
GB = 1024**3


class HostPeak:
    """Peak VmRSS of this process, sampled every 50 ms in a thread."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def rss() -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.rss())
            time.sleep(0.05)

    def __enter__(self) -> HostPeak:
        self.peak = self.rss()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def random_model(device: str) -> torch.nn.Module:
    """The real architecture with N(0, 0.02) bf16 weights, built on ``device`` without a float32 copy."""
    from diffusers import HunyuanVideoFramepackTransformer3DModel

    with torch.device("meta"):
        model = HunyuanVideoFramepackTransformer3DModel(**REAL_CONFIG)
    model = model.to_empty(device=device).to(torch.bfloat16)
    generator = torch.Generator(device).manual_seed(0)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.endswith("bias"):
                param.zero_()
            elif param.ndim == 1:
                param.fill_(1.0)  # norm weights
            else:
                param.normal_(0.0, 0.02, generator=generator)
        model.rope.to(device)
    return model.eval()


def checkpoint(work: Path) -> Path:
    """A bf16 safetensors checkpoint of the random model under ``work`` (written once)."""
    folder = work / "f1_random_bf16"
    if not (folder / "config.json").is_file():
        model = random_model("cuda")
        model.save_pretrained(folder, safe_serialization=True, max_shard_size="5GB")
        del model
        torch.cuda.empty_cache()
    return folder


def section_inputs(steps: int):
    from fp_timeline_plugins.framepack_f1.config import FramePackF1Config
    from fp_timeline_plugins.framepack_f1.loop import Conditioning, LoopState, TextConditioning

    g = torch.Generator().manual_seed(0)
    h, w = HEIGHT // 8, WIDTH // 8
    history, anchor = torch.randn(1, 16, 19, h, w, generator=g), torch.randn(1, 16, 1, h, w, generator=g)
    state = LoopState(history=history, anchor=anchor, real_frames=20)
    mask = torch.zeros(1, 512, dtype=torch.bool)
    mask[:, :64] = True
    text = TextConditioning(torch.randn(1, 512, 4096, generator=g), mask, torch.randn(1, 768, generator=g))
    cond = Conditioning(text=text, image_embeds=torch.randn(1, 729, 1152, generator=g))
    noise = torch.randn(1, 16, WINDOW, h, w, generator=g)
    return state, cond, noise, FramePackF1Config(latent_window_size=WINDOW, steps=steps)


def load_for_plan(plan: str, work: Path, pinned: bool) -> torch.nn.Module:
    from diffusers import HunyuanVideoFramepackTransformer3DModel

    from fp_timeline_plugins.framepack_f1.memory_plan import MemoryPlan
    from fp_timeline_plugins.framepack_f1.offload import place
    from fp_timeline_plugins.framepack_f1.placement import use_fp32_output_projection
    from fp_timeline_plugins.framepack_f1.resources import return_large_frees_to_os
    from fp_timeline_plugins.framepack_f1.weights import checkpoint_id

    if plan == "gpu":
        return use_fp32_output_projection(random_model("cuda"))
    folder = checkpoint(work)
    return_large_frees_to_os()
    model = HunyuanVideoFramepackTransformer3DModel.from_pretrained(folder, torch_dtype=torch.bfloat16).eval()
    use_fp32_output_projection(model)
    ident = checkpoint_id(folder)
    place(model, MemoryPlan(plan, "cuda", pinned=pinned), torch.device("cuda"), torch.bfloat16, work, ident)
    return model


def run_section(model, inputs) -> float:
    from fp_timeline_plugins.framepack_f1.loop import sample_section

    state, cond, noise, config = inputs
    torch.cuda.synchronize()
    started = time.perf_counter()
    sample_section(model, state, cond, noise, config, device="cuda", dtype=torch.bfloat16)
    torch.cuda.synchronize()
    return time.perf_counter() - started


def measure(plan: str, backend: str, args, inputs) -> dict:
    from diffusers.models.attention_dispatch import attention_backend

    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    with HostPeak() as host:
        base = host.peak
        model = load_for_plan(plan, args.work, args.pinned)
        if args.compile and plan == "gpu":
            for block in [*model.transformer_blocks, *model.single_transformer_blocks]:
                block.compile(dynamic=False)
        with attention_backend(backend):
            warm = run_section(model, inputs)
            seconds = run_section(model, inputs)
    frames = 4 * WINDOW
    result = {
        "plan": plan,
        "attention": backend,
        "s_per_frame": round(seconds / frames, 4),
        "section_s": round(seconds, 2),
        "warmup_s": round(warm, 2),
        "peak_vram_gb": round(torch.cuda.max_memory_allocated() / GB, 2),
        "peak_host_gb_above_start": round((host.peak - base) / GB, 2),
    }
    del model
    torch.cuda.empty_cache()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", default="gpu,group")
    parser.add_argument("--backends", default="native")
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--work", type=Path, default=Path("/tmp/fp_gpu_bench"))
    parser.add_argument("--pinned", action="store_true", help="group plan: keep a pinned host copy")
    parser.add_argument("--compile", action="store_true", help="gpu plan: regional torch.compile of the blocks")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("no CUDA device: this benchmark needs an H100/H200-class GPU")
    args.work.mkdir(parents=True, exist_ok=True)
    torch.backends.cuda.matmul.allow_tf32 = True
    inputs = section_inputs(args.steps)
    results, errors = [], {}
    for plan in args.plans.split(","):
        for backend in args.backends.split(","):
            try:
                result = measure(plan, backend, args, inputs)
            except Exception as err:  # an attention backend that is not installed, out of memory, ...
                errors[f"{plan}/{backend}"] = f"{type(err).__name__}: {err}"[:300]
                print(f"{plan}/{backend}: failed: {errors[f'{plan}/{backend}']}", flush=True)
                torch.cuda.empty_cache()
                continue
            results.append(result)
            print(json.dumps(result), flush=True)
    device = torch.cuda.get_device_name()
    print(json.dumps({"device": device, "steps": args.steps, "results": results, "errors": errors}))


if __name__ == "__main__":
    main()
