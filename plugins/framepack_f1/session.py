"""``ChainRenderer``: renders clips one after another, F1 section by section.

Between two clips its whole state is a ``PackedContext``: rendering A then B in one renderer (a
continuous render with the prompt switched at the cut) and rendering A, saving its context, and
rendering B from that file in another process are the same computation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from fp_timeline.project.recipe import NoiseMode

from .components import Components
from .config import FramePackF1Config
from .context import PackedContext
from .decode import SectionDecoder, make_vae_decoder
from .encoders import encode_image, encode_prompt, vae_encode
from .loop import Conditioning, LoopState, draw_section_noise, sample_section
from .magcache import ratios_for
from .sampling import StepCallback
from .stepcache import step_cache

NOISE_OWN, NOISE_CONTINUE = NoiseMode.OWN.value, NoiseMode.CONTINUE.value  # the recipe's spelling


@dataclass(frozen=True)
class ClipSpec:
    """One clip of a chain."""

    prompt: str
    seed: int
    sections: int  # how many ``run_section`` calls the caller makes for this clip
    config: FramePackF1Config = FramePackF1Config()
    image: np.ndarray | None = None  # (H, W, 3) uint8 start image; a carried clip may bring a new anchor
    noise: str = NOISE_OWN  # carried clips: own seeded noise, or continue the upstream noise stream


class ChainRenderer:
    """Section-by-section F1 generation over a chain of clips.  Call ``begin_clip`` before each clip."""

    def __init__(
        self,
        components: Components,
        width: int,
        height: int,
        context: PackedContext | None = None,
        free_text_encoders: bool = True,
    ) -> None:
        self.components = components
        self.width, self.height = width, height
        self.free_text_encoders = free_text_encoders
        self._vae_decode = make_vae_decoder(components.vae)
        self._state: LoopState | None = None
        self._rng: torch.Generator | None = None
        self._decoder: SectionDecoder | None = None
        self._image_embeds: torch.Tensor | None = None
        self._tail: torch.Tensor | None = None
        self._cond: Conditioning | None = None
        self._config = FramePackF1Config()
        self.pixel_frames = 0
        if context is not None:
            self._state = LoopState(
                history=context.history.float(), anchor=context.anchor.float(), real_frames=context.latent_frames
            )
            self._rng = torch.Generator("cpu")
            self._rng.set_state(context.rng_state)
            self._tail = context.decode_tail.float()
            self._image_embeds = context.image_embeds
            self.pixel_frames = context.pixel_frames

    def _decode(self, latents: torch.Tensor) -> torch.Tensor:
        return self._vae_decode(latents)

    @property
    def latent_size(self) -> tuple[int, int]:
        return self.height // 8, self.width // 8

    def begin_clip(self, spec: ClipSpec) -> None:
        """Start a clip: fresh when nothing came before, else carried (a cut in the same generation)."""
        if self._decoder is not None:
            raise RuntimeError("call end_clip() before starting the next clip")
        self._config = spec.config
        carried = self._state is not None
        if spec.image is not None:
            image = spec.image
            if image.shape[:2] != (self.height, self.width):
                raise ValueError(f"image is {image.shape[1]}x{image.shape[0]}, clip is {self.width}x{self.height}")
            anchor = vae_encode(self.components, image[None], spec.seed)  # (1, C, 1, h, w)
            self._image_embeds = encode_image(self.components, image)
            self._state = self._state.with_anchor(anchor) if carried else LoopState.start(anchor)
        elif not carried:
            raise ValueError("a fresh clip needs a start image")
        if not carried:
            self._tail = self._state.anchor
        if not carried or spec.noise == NOISE_OWN:
            self._rng = torch.Generator("cpu").manual_seed(spec.seed)
        elif spec.noise != NOISE_CONTINUE:
            raise ValueError(f"noise must be {NOISE_OWN!r} or {NOISE_CONTINUE!r}, got {spec.noise!r}")
        text = encode_prompt(self.components, spec.prompt)
        negative = None
        if spec.config.guidance_scale != 1.0:  # FramePack encodes the negative prompt (even "") only for real CFG
            negative = encode_prompt(self.components, spec.config.negative_prompt)
        if self.free_text_encoders:
            self.components.free_text_encoders()
        self._cond = Conditioning(text=text, image_embeds=self._image_embeds, negative=negative)
        self._decoder = SectionDecoder(self._decode, self._tail, fresh=not carried)

    def start_state(self) -> dict:
        """Where the clip just begun starts (for ``split.TakeSections``): history, decode tail, frame counts."""
        if self._decoder is None:
            raise RuntimeError("begin_clip() first")
        return {
            "start_history": self._state.history,
            "start_tail": self._decoder.tail,
            "start_real_frames": self._state.real_frames,
            "start_pixel_frames": self.pixel_frames,
            "fresh": self._decoder.fresh,
        }

    def run_section(self, callback: StepCallback | None = None) -> tuple[torch.Tensor, list[np.ndarray]]:
        """Sample and decode one section; returns (new latents (1, C, L, h, w), frames now final)."""
        h, w = self.latent_size
        noise = draw_section_noise(self._rng, self.components.latent_channels, self._config, h, w)
        transformer = self.components.get_transformer()
        with step_cache(transformer, self._config, lambda: ratios_for(self.components, self._config, h, w)):
            latents = sample_section(
                transformer,
                self._state,
                self._cond,
                noise,
                self._config,
                device=self.components.device,
                dtype=self.components.dtype,
                callback=callback,
            )
        return latents, self.accept_section(latents)

    def accept_section(self, latents: torch.Tensor, rng_state: torch.Tensor | None = None) -> list[np.ndarray]:
        """Append a finished section (also used to replay checkpointed sections on resume)."""
        if rng_state is not None:
            self._rng.set_state(rng_state)
        self._state = self._state.appended(latents)
        frames = self._decoder.push(latents)
        self._tail = self._decoder.tail
        self.pixel_frames += len(frames)
        return frames

    def end_clip(self) -> list[np.ndarray]:
        """Finish the clip: its held-back frames become final; the chain can continue with a new clip."""
        frames = self._decoder.finish()
        self._decoder = None
        self.pixel_frames += len(frames)
        return frames

    def rng_state(self) -> torch.Tensor:
        return self._rng.get_state()

    def context(self) -> PackedContext:
        """The state after the last finished clip, as a ``PackedContext``."""
        if self._decoder is not None:
            raise RuntimeError("end_clip() first: a context is taken between clips")
        return PackedContext(
            history=self._state.history,
            anchor=self._state.anchor,
            decode_tail=self._tail,
            image_embeds=self._image_embeds.float(),
            rng_state=self._rng.get_state(),
            model_id=self.components.model_id,
            dtype=self.components.dtype_name,
            width=self.width,
            height=self.height,
            latent_frames=self._state.real_frames,
            pixel_frames=self.pixel_frames,
        )
