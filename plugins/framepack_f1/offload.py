"""Put a loaded model where its ``MemoryPlan`` says, with diffusers' hooks; convert its dtype block by block.

Models arrive in their stored dtype, backed by the mmapped safetensors file (no anonymous copy).  We never
convert a whole model at load and never move a whole model back to the host: a block that must compute
in another dtype (bf16 weights, float32 on the CPU) is converted just before it runs and the converted
copy dropped just after (``CastPerBlockHook``); a plan that offloads does it with diffusers'
``apply_group_offloading``, block by block.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import torch
from diffusers.hooks import HookRegistry, ModelHook, apply_group_offloading

from .memory_plan import MemoryPlan

KEEP_DTYPE = "_fp_timeline_keeps_dtype"  # set on modules that must stay in their dtype (fp32 output)

CAST_HOOK = "fp_timeline_cast_per_block"
MANIFEST = "fp_timeline_offload.json"


class CastPerBlockHook(ModelHook):
    """Run a module with its own floating weights in ``dtype``; the stored tensors are put back afterwards."""

    _is_stateful = False

    def __init__(self, dtype: torch.dtype) -> None:
        super().__init__()
        self.dtype = dtype
        self._stored: list[tuple[torch.nn.Parameter, torch.Tensor]] = []

    def pre_forward(self, module: torch.nn.Module, *args, **kwargs):
        self._stored = [(p, p.data) for p in _own_params_to_cast(module, self.dtype)]
        for param, data in self._stored:
            param.data = data.to(self.dtype)
        return args, kwargs

    def post_forward(self, module: torch.nn.Module, output):
        for param, data in self._stored:
            param.data = data
        self._stored = []
        return output


def _own_params_to_cast(module: torch.nn.Module, dtype: torch.dtype) -> list[torch.nn.Parameter]:
    return [p for p in module.parameters(recurse=False) if p.is_floating_point() and p.dtype != dtype]


def _keeps_dtype(module: torch.nn.Module) -> bool:
    return bool(getattr(module, KEEP_DTYPE, False))


def _tensors(module: torch.nn.Module) -> list[tuple[torch.Tensor, bool]]:
    """Every parameter and buffer once, with whether its module keeps its dtype."""
    seen: dict[int, tuple[torch.Tensor, bool]] = {}
    for sub in module.modules():
        keep = _keeps_dtype(sub)
        for tensor in [*sub.parameters(recurse=False), *sub.buffers(recurse=False)]:
            seen.setdefault(id(tensor), (tensor, keep))
    return list(seen.values())


def blocks_of(module: torch.nn.Module) -> list[torch.nn.Module]:
    """The units a model runs in: every element of a top-level ``ModuleList``, and every other child."""
    units: list[torch.nn.Module] = []
    for child in module.children():
        units.extend(child if isinstance(child, torch.nn.ModuleList) else [child])
    return units


def cast_per_block(module: torch.nn.Module, dtype: torch.dtype) -> int:
    """Install ``CastPerBlockHook`` on every layer that owns weights of another dtype; returns how many.

    Per layer (a Linear, a norm), not per transformer block: only one layer's converted copy exists at a
    time, a few MB, where a whole block in float32 would be 5% of the checkpoint.
    """
    count = 0
    for block in blocks_of(module):
        if _keeps_dtype(block):
            continue
        for layer in block.modules():
            if _own_params_to_cast(layer, dtype) and not _keeps_dtype(layer):
                HookRegistry.check_if_exists_or_initialize(layer).register_hook(CastPerBlockHook(dtype), CAST_HOOK)
                count += 1
    return count


def stored_dtype(module: torch.nn.Module) -> torch.dtype:
    """The dtype most of the weights are stored in (by bytes)."""
    counts: dict[torch.dtype, int] = {}
    for p in module.parameters():
        counts[p.dtype] = counts.get(p.dtype, 0) + p.numel()
    return max(counts, key=counts.get)


def place(
    module: torch.nn.Module,
    plan: MemoryPlan,
    device: torch.device,
    compute_dtype: torch.dtype,
    offload_root: Path | None = None,
    checkpoint_id: str = "",
) -> torch.nn.Module:
    """Apply ``plan`` to one big model (transformer or Llama); small ones go to ``device`` as they are."""
    if plan.name == "gpu":
        for tensor, keep in _tensors(module):  # copy first, convert on the device
            moved = tensor.data.to(device)
            tensor.data = moved.to(compute_dtype) if tensor.is_floating_point() and not keep else moved
        return module
    cast_per_block(module, compute_dtype)  # innermost: runs after a block is onloaded
    if plan.name == "mmap":
        return module
    streams = device.type == "cuda"
    disk = None
    if plan.name == "disk":
        disk = checked_offload_folder(offload_root, checkpoint_id)
    apply_group_offloading(
        module,
        onload_device=device,
        offload_device=torch.device("cpu"),
        offload_type="block_level",
        num_blocks_per_group=1,
        non_blocking=streams,
        use_stream=streams,
        record_stream=streams,
        low_cpu_mem_usage=not plan.pinned,
        offload_to_disk_path=str(disk) if disk else None,
    )
    if disk is not None:
        mark_complete(disk, checkpoint_id)
    return module


def offload_folder(root: Path, checkpoint_id: str) -> Path:
    return Path(root) / "offload" / hashlib.sha256(checkpoint_id.encode()).hexdigest()[:16]


def checked_offload_folder(root: Path | None, checkpoint_id: str) -> Path:
    """The per-block files' folder for this checkpoint, emptied unless a complete one for it is there.

    diffusers reuses any ``group_*.safetensors`` it finds without checking them, so a folder left by
    another checkpoint, or by a run killed while writing, would give wrong weights: it is wiped first.
    """
    if root is None or not checkpoint_id:
        raise ValueError("the disk memory plan needs a folder for the offloaded blocks and a checkpoint hash")
    folder = offload_folder(root, checkpoint_id)
    if folder.is_dir() and not is_complete(folder, checkpoint_id):
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def is_complete(folder: Path, checkpoint_id: str) -> bool:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    files = sorted(p.name for p in folder.glob("group_*.safetensors"))
    return manifest.get("checkpoint") == checkpoint_id and manifest.get("files") == files and bool(files)


def mark_complete(folder: Path, checkpoint_id: str) -> None:
    """Written after diffusers wrote every block (it does so while applying the hooks)."""
    files = sorted(p.name for p in folder.glob("group_*.safetensors"))
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps({"checkpoint": checkpoint_id, "files": files}, indent=1))
    tmp.replace(folder / MANIFEST)
