"""Wan 2.1 I2V settings as schemas, and its length rules.  Pure Python: the engine validates without torch."""

from __future__ import annotations

from fp_timeline.engine.schema import Setting

NATIVE_FPS = 16.0
MAX_FRAMES = 81  # what Wan 2.1 was trained on: about 5 s at 16 fps
FRAMES_PER_LATENT = 4  # the Wan VAE's temporal compression: 4k + 1 frames
PIXEL_MULTIPLE = 16  # VAE 8x spatial compression x transformer patch 2
CHECKPOINTS = {
    "480p": "Wan-AI/Wan2.1-I2V-14B-480P-Diffusers",
    "720p": "Wan-AI/Wan2.1-I2V-14B-720P-Diffusers",
}

PARAMS_SCHEMA = (
    Setting("steps", "int", 30, "sampler steps", 1, 100),
    Setting("guidance_scale", "float", 5.0, "classifier-free guidance (1: no negative prompt pass)", 1, 20),
    Setting("negative_prompt", "text", "", "what to avoid"),
    Setting("shift", "float", None, "flow shift; empty: 3 at 480p, 5 at 720p", 0.5, 20, optional=True),
)

OPTIONS_SCHEMA = (
    Setting("preset", "choice", "auto", "weights: auto (real if cached), tiny, real", choices=("auto", "tiny", "real")),
    Setting("device", "str", None, "torch device (default: best available)", optional=True),
    Setting("checkpoint", "choice", "480p", "the real preset's Wan 2.1 I2V checkpoint", choices=tuple(CHECKPOINTS)),
)


def snapped_frames(frames: int) -> int:
    """The nearest 4k + 1 frame count in 1..MAX_FRAMES."""
    k = max(0, round((frames - 1) / FRAMES_PER_LATENT))
    return min(MAX_FRAMES, FRAMES_PER_LATENT * k + 1)
