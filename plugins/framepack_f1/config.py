"""``FramePackF1Config``: the F1 settings stored in ``Recipe.params``, with FramePack's demo defaults.

Pure Python (no torch) so that the engine can validate a recipe without loading the plugin's models.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fp_timeline.engine.schema import Setting
from fp_timeline.project.numbers import is_int, is_number

from .memory_plan import ALIASES, REQUESTS

SAMPLERS = ("unipc", "euler")
PRESET_CHOICES = ("auto", "tiny", "real")
DTYPES = ("float32", "bfloat16", "float16")
LORAS = Setting("loras", "lora_list", [], "LoRA safetensors files (inside or beside the project) with weights")
OFFLOAD_CHOICES = (*REQUESTS, *ALIASES)  # the memory plans (and their old names)


@dataclass(frozen=True)
class FramePackF1Config:
    """Sampling settings of one clip; defaults are those of FramePack's ``demo_gradio_f1.py``."""

    latent_window_size: int = 9  # latent frames sampled per section (4 * L pixel frames appended)
    steps: int = 25  # sampler steps per section (= transformer calls with cfg 1)
    distilled_guidance: float = 10.0  # "gs": fed to the guidance embedder as gs * 1000
    guidance_scale: float = 1.0  # real CFG; 1 means the negative branch is never evaluated
    guidance_rescale: float = 0.0
    negative_prompt: str = ""
    sampler: str = "unipc"  # "unipc" (FramePack, the reference) or "euler" (diffusers' pipeline)
    shift: float | None = None  # static shift; None: resolution-dependent mu, capped at ln 7
    teacache: bool = False  # TeaCache-style step skipping (lossy, so off by default); see stepcache.py
    teacache_threshold: float = 0.05  # skip when the first block's residual changed less than this
    magcache: bool = False  # MagCache step skipping (lossy, off by default); see stepcache.py
    magcache_threshold: float = 0.1  # accumulated magnitude-ratio error allowed before computing again
    magcache_max_skip: int = 2  # at most this many steps skipped in a row (K)
    magcache_retention: float = 0.2  # the first 20% of the steps are never skipped

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> FramePackF1Config:
        """Build from ``Recipe.params``; unknown keys and bad values raise ``ValueError`` listing all."""
        problems = check_params(params)
        if problems:
            raise ValueError("; ".join(f"{k}: {m}" for k, m in problems))
        known = {k: v for k, v in params.items() if k in cls.field_names()}
        floats = ("distilled_guidance", "guidance_scale", "guidance_rescale", "teacache_threshold")
        for name in (*floats, "magcache_threshold", "magcache_retention"):
            if name in known:
                known[name] = float(known[name])
        if known.get("shift") is not None:
            known["shift"] = float(known["shift"])
        return cls(**known)


# Each setting's check: (name, whether a value is fine, what a fine value is), in the order reported.
# FramePack's UI allows windows 1..33; the 4x history path needs nothing more.
_VALUE_RULES: tuple[tuple[str, Callable[[Any], bool], str], ...] = (
    ("latent_window_size", lambda v: is_int(v) and 1 <= v <= 33, "must be an integer in 1..33"),
    ("steps", lambda v: is_int(v) and 1 <= v <= 100, "must be an integer in 1..100"),
    ("distilled_guidance", lambda v: is_number(v) and 0 <= v <= 32, "must be a number in 0..32"),
    ("guidance_scale", lambda v: is_number(v) and 1 <= v <= 32, "must be a number in 1..32"),
    ("guidance_rescale", lambda v: is_number(v) and 0 <= v <= 1, "must be a number in 0..1"),
    ("negative_prompt", lambda v: isinstance(v, str), "must be a string"),
    ("sampler", lambda v: v in SAMPLERS, f"must be one of {', '.join(SAMPLERS)}"),
    ("shift", lambda v: v is None or (is_number(v) and v > 0), "must be a positive number or null"),
    ("teacache", lambda v: isinstance(v, bool), "must be true or false"),
    ("teacache_threshold", lambda v: is_number(v) and 0 < v < 1, "must be a number in (0, 1)"),
    ("magcache", lambda v: isinstance(v, bool), "must be true or false"),
    ("magcache_threshold", lambda v: is_number(v) and 0 < v < 1, "must be a number in (0, 1)"),
    ("magcache_max_skip", lambda v: is_int(v) and 1 <= v <= 10, "must be 1..10"),
    ("magcache_retention", lambda v: is_number(v) and 0 <= v < 1, "must be a number in [0, 1)"),
)


def check_params(params: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, message) for every bad entry of ``Recipe.params``; empty when fine."""
    return [*_name_problems(params), *_value_problems(params), *_cache_problems(params)]


def _name_problems(params: dict[str, Any]) -> list[tuple[str, str]]:
    """A bad LoRA list, then every key that is no setting."""
    problems: list[tuple[str, str]] = []
    names = (*FramePackF1Config.field_names(), "loras")  # LoRAs are applied around sampling, not a setting of it
    lora_problem = LORAS.problem(params.get("loras", []))
    if lora_problem:
        problems.append(("loras", lora_problem))
    for key in params:
        if key not in names:
            problems.append((key, f"unknown F1 parameter (known: {', '.join(names)})"))
    return problems


def _value_problems(params: dict[str, Any]) -> list[tuple[str, str]]:
    """Every given setting whose value is out of its range (``_VALUE_RULES``)."""
    return [
        (name, f"{message}, got {params[name]!r}")
        for name, fine, message in _VALUE_RULES
        if name in params and not fine(params[name])
    ]


def _cache_problems(params: dict[str, Any]) -> list[tuple[str, str]]:
    """Step caches need guidance_scale 1, and only one of them at a time."""
    problems: list[tuple[str, str]] = []
    scale = params.get("guidance_scale")
    for name in ("teacache", "magcache"):
        if params.get(name) is True and is_number(scale) and scale != 1:
            problems.append((name, "step skipping is only supported with guidance_scale 1 (no real CFG)"))
    if params.get("teacache") is True and params.get("magcache") is True:
        problems.append(("magcache", "choose one step cache: teacache or magcache, not both"))
    return problems


# The same settings as a schema, for the engine's checks, the CLI's --set and the inspector's controls.
PARAMS_SCHEMA = (
    LORAS,
    Setting("latent_window_size", "int", 9, "latent frames per section (4 video frames each)", 1, 33),
    Setting("steps", "int", 25, "sampler steps per section", 1, 100),
    Setting("distilled_guidance", "float", 10.0, "distilled guidance (FramePack's 'gs')", 0, 32),
    Setting("guidance_scale", "float", 1.0, "real CFG; 1 skips the negative prompt", 1, 32),
    Setting("guidance_rescale", "float", 0.0, "CFG rescale", 0, 1),
    Setting("negative_prompt", "text", "", "what to avoid (only with guidance_scale > 1)"),
    Setting("sampler", "choice", "unipc", "unipc (FramePack's) or euler (diffusers')", choices=SAMPLERS),
    Setting("shift", "float", None, "static flow shift; empty: by resolution", 0.001, 100, optional=True),
    Setting("teacache", "bool", False, "skip steps whose first block barely changed (lossy)"),
    Setting("teacache_threshold", "float", 0.05, "TeaCache skip threshold", 0.001, 0.999),
    Setting("magcache", "bool", False, "MagCache: skip steps by calibrated residual magnitudes (lossy)"),
    Setting("magcache_threshold", "float", 0.1, "MagCache accumulated error threshold", 0.001, 0.999),
    Setting("magcache_max_skip", "int", 2, "MagCache: most steps skipped in a row", 1, 10),
    Setting("magcache_retention", "float", 0.2, "MagCache: share of first steps never skipped", 0, 0.999),
)

OPTIONS_SCHEMA = (
    Setting("preset", "choice", "auto", "model weights: auto (real if cached), tiny, real", choices=PRESET_CHOICES),
    Setting("device", "str", None, "torch device, e.g. cpu, cuda, cuda:1 (default: best available)", optional=True),
    Setting(
        "offload",
        "choice",
        "auto",
        "memory plan: auto (by free VRAM and RAM), gpu, group, disk, mmap",
        choices=OFFLOAD_CHOICES,
    ),
    Setting("threads", "int", None, "CPU threads (default: the cores less one, at most 16)", 1, 1024, optional=True),
    Setting("attention", "str", "native", "attention backend: native (SDPA), flash, _flash_3, sage, xformers, ..."),
    Setting("compile", "bool", False, "regional torch.compile of the transformer blocks (CUDA, gpu plan)"),
    Setting(
        "dtype",
        "choice",
        None,
        "compute dtype (default: bfloat16 on CUDA, float32 on CPU)",
        choices=DTYPES,
        optional=True,
    ),
    Setting("vae_tiling", "bool", False, "decode in tiles (less VRAM, slower)"),
    Setting("free_text_encoders", "bool", True, "drop the text encoders after encoding the prompt"),
)
