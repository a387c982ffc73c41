"""Where the models live while a render runs, chosen from the free VRAM and host RAM (no torch here).

FramePack's real bottleneck is host RAM (43-64 GB reported), not VRAM.  The plans, best first:

- ``gpu``    every model on the GPU for good (it fits: the F1 transformer is 25.7 GB in bf16).
- ``group``  diffusers' group offloading, block by block, with CUDA streams prefetching the next block;
             the host copy is the mmapped checkpoint itself (page cache, no anonymous copy) unless there
             is RAM to spare for a pinned copy, which makes the transfers faster.
- ``disk``   group offloading to a folder of per-block files, for hosts whose RAM cannot even cache the
             checkpoint; the folder is named by the checkpoint's hash and checked before reuse.
- ``mmap``   CPU only: weights stay in the mmapped checkpoint in their stored dtype; each block is
             converted to the compute dtype only while it runs.

On every plan the text encoders (the 16 GB Llama) and the transformer are never loaded at once unless
both fit on the GPU: prompts are encoded in one session before sampling and cached on disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GB = 1024**3
PLANS = ("gpu", "group", "disk", "mmap")
# What the user may ask for; "auto" chooses.  "none"/"model"/"sequential" are the old offload names.
REQUESTS = ("auto", *PLANS)
ALIASES = {"none": "gpu", "model": "group", "sequential": "group"}

# VRAM besides the weights: activations of one 640-bucket section (FramePack keeps 6 GB free) + VAE decode.
ACTIVATION_VRAM = 6 * GB
# Host RAM that must stay free besides the plan's own use: the OS, Python, torch, decoded frames.
HOST_MARGIN = 4 * GB


@dataclass(frozen=True)
class Resources:
    """What the machine has free right now.  ``free_vram``/``total_vram`` are 0 without CUDA."""

    device_type: str  # "cuda" or "cpu" (the compute device)
    free_ram: int
    total_ram: int
    free_vram: int = 0
    total_vram: int = 0
    cpus: int = 1


@dataclass(frozen=True)
class ModelSizes:
    """Bytes of each model as stored (safetensors), which is what the plans move around."""

    transformer: int
    text_encoders: int  # Llama + CLIP-L
    others: int  # VAE + SigLIP: small, always resident on the compute device

    @property
    def largest(self) -> int:
        return max(self.transformer, self.text_encoders)


@dataclass(frozen=True)
class MemoryPlan:
    """The chosen plan and its expected footprint, with the reasons, printable for the user."""

    name: str  # one of PLANS
    device_type: str
    pinned: bool = False  # group plan: a pinned host copy (fast transfers, costs its size in RAM)
    exclusive: bool = True  # text encoders and transformer never resident together
    host_ram: int = 0  # expected peak host RAM the weights cost (page cache of mmapped files counted)
    host_anon: int = 0  # of which anonymous (cannot be dropped by the kernel under pressure)
    vram: int = 0  # expected peak VRAM for weights + activations
    reasons: tuple[str, ...] = field(default=())

    def explain(self) -> str:
        lines = [f"memory plan: {self.name} ({DESCRIPTIONS[self.name]})"]
        if self.name == "group":
            lines.append(f"  host copy: {'pinned (RAM to spare)' if self.pinned else 'mmapped checkpoint, not pinned'}")
        lines.append(
            "  text encoders and transformer: "
            + ("one after the other (never both loaded)" if self.exclusive else "both resident (they fit)")
        )
        footprint = f"  expected weights: host RAM ~{format_bytes(self.host_ram)}"
        footprint += f" (anonymous ~{format_bytes(self.host_anon)})"
        if self.device_type == "cuda":
            footprint += f", VRAM ~{format_bytes(self.vram)}"
        lines.append(footprint)
        lines.extend(f"  why: {reason}" for reason in self.reasons)
        return "\n".join(lines)


DESCRIPTIONS = {
    "gpu": "every model on the GPU for good",
    "group": "diffusers group offloading, block level, streams + prefetch",
    "disk": "group offloading to hash-checked per-block files on disk",
    "mmap": "CPU: weights stay in the mmapped checkpoint, converted block by block",
}


def format_bytes(n: int) -> str:
    return f"{n / GB:.1f} GB" if n >= GB // 10 else f"{n / 1024**2:.1f} MB"


def normalize_request(requested: str | None) -> str:
    """``auto`` when unset; old offload names map to plans; anything else raises ``ValueError``."""
    name = ALIASES.get(requested or "auto", requested or "auto")
    if name not in REQUESTS:
        choices = ", ".join((*REQUESTS, *ALIASES))
        raise ValueError(f"unknown offload mode {requested!r}; choose one of {choices}")
    return name


def choose_plan(resources: Resources, sizes: ModelSizes, requested: str | None = "auto") -> MemoryPlan:
    """The plan for these resources: the one asked for, else the fastest that fits."""
    request = normalize_request(requested)
    if resources.device_type != "cuda":
        return _cpu_plan(resources, sizes, request)
    return _cuda_plan(resources, sizes, request)


def _cpu_plan(res: Resources, sizes: ModelSizes, request: str) -> MemoryPlan:
    # On the CPU "gpu" and "group" mean the weights stay where they are: the mmap plan.
    cache_fits = res.free_ram >= sizes.largest + HOST_MARGIN
    if request == "disk" or (request == "auto" and not cache_fits):
        why = "asked for" if request == "disk" else f"free RAM {format_bytes(res.free_ram)} cannot cache the checkpoint"
        return MemoryPlan("disk", "cpu", host_ram=sizes.largest // 10 + sizes.others, reasons=(why,))
    why = f"free RAM {format_bytes(res.free_ram)} caches the largest model ({format_bytes(sizes.largest)})"
    if request not in ("auto", "mmap"):
        why = f"{request!r} has no meaning without a GPU; {why}"
    both = res.free_ram >= sizes.transformer + sizes.text_encoders + sizes.others + HOST_MARGIN
    host = sizes.others + (sizes.transformer + sizes.text_encoders if both else sizes.largest)
    return MemoryPlan("mmap", "cpu", exclusive=not both, host_ram=host, reasons=(why,))


def _cuda_plan(res: Resources, sizes: ModelSizes, request: str) -> MemoryPlan:
    both_fit = res.free_vram >= sizes.transformer + sizes.text_encoders + sizes.others + ACTIVATION_VRAM
    transformer_fits = res.free_vram >= sizes.transformer + sizes.others + ACTIVATION_VRAM
    if request == "gpu" or (request == "auto" and transformer_fits):
        why = "asked for" if request == "gpu" else f"free VRAM {format_bytes(res.free_vram)} holds the transformer"
        vram = sizes.transformer + sizes.others + ACTIVATION_VRAM + (sizes.text_encoders if both_fit else 0)
        return MemoryPlan("gpu", "cuda", exclusive=not both_fit, host_ram=sizes.largest, vram=vram, reasons=(why,))
    # Block by block: VRAM holds two blocks (current + prefetched), the embedders and the activations.
    vram = sizes.transformer // 20 + sizes.others + ACTIVATION_VRAM
    cache_fits = res.free_ram >= sizes.largest + HOST_MARGIN
    if request == "disk" or (request == "auto" and not cache_fits):
        why = "asked for" if request == "disk" else f"free RAM {format_bytes(res.free_ram)} cannot cache the checkpoint"
        return MemoryPlan("disk", "cuda", host_ram=sizes.largest // 10, vram=vram, reasons=(why,))
    pinned = res.free_ram >= 2 * sizes.largest + HOST_MARGIN
    why = f"free VRAM {format_bytes(res.free_vram)} < transformer {format_bytes(sizes.transformer)} + activations"
    if request == "group":
        why = "asked for"
    pin_why = f"free RAM {format_bytes(res.free_ram)} {'allows' if pinned else 'does not allow'} a pinned copy"
    anon = sizes.largest if pinned else 0
    return MemoryPlan(
        "group", "cuda", pinned=pinned, host_ram=sizes.largest + anon, host_anon=anon, vram=vram, reasons=(why, pin_why)
    )
