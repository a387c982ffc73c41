"""Start a chain from a video this project did not make (FramePack-Studio's video extension idea).

Like FramePack-Studio's "Video F1" mode: the video's last frames are VAE-encoded into the history, the
anchor (start latent) comes from the first frame given, and the SigLIP embedding is of the last frame
(what is on screen where the extension begins).  Only the last 73 frames (19 latents) are encoded, so
memory does not depend on the video's length (the engine passes at most the last 121 frames).  The anchor
frame is encoded on its own, the way F1 always encodes a start image (Studio takes the first latent of
the whole video's encoding; the VAE's group norms span time, so the two differ slightly).
"""

from __future__ import annotations

import numpy as np
import torch

from .components import Components
from .context import PackedContext
from .decode import TEMPORAL_RATIO, pixel_frames
from .encoders import encode_image, fit_image, vae_encode
from .layout import HISTORY_FRAMES, last_history


def context_from_video(
    components: Components, frames: np.ndarray, width: int, height: int, seed: int, latent_window_size: int
) -> PackedContext:
    """A ``PackedContext`` from (T, H, W, 3) uint8 frames (oldest first), as if F1 had made them."""
    if frames.ndim != 4 or frames.shape[-1] != 3 or len(frames) == 0:
        raise ValueError(f"frames must be (T, H, W, 3) uint8 with T >= 1, got shape {frames.shape}")
    # Only what the history can hold: 19 latents = 73 frames (the VAE maps 1 + 4k frames to 1 + k latents).
    latents_wanted = min(HISTORY_FRAMES, 1 + (len(frames) - 1) // TEMPORAL_RATIO)
    clip = np.stack([fit_image(f, width, height) for f in frames[-pixel_frames(latents_wanted) :]])
    latents = vae_encode(components, clip, seed)  # (1, C, K, h, w)
    anchor = vae_encode(components, fit_image(frames[0], width, height)[None], seed)  # (1, C, 1, h, w)
    return PackedContext(
        history=last_history(latents),
        anchor=anchor,
        decode_tail=latents[:, :, -latent_window_size:],
        image_embeds=encode_image(components, clip[-1]),
        rng_state=torch.Generator("cpu").manual_seed(seed).get_state(),
        model_id=components.model_id,
        dtype=components.dtype_name,
        width=width,
        height=height,
        latent_frames=latents.shape[2],
        pixel_frames=len(frames),
    )
