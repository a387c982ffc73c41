"""Text, image and VAE encoding for the F1 loop, with small caches keyed by content hash.

Follows FramePack's ``encode_prompt_conds`` / ``vae_encode`` / ``hf_clip_vision_encode``: Llama
hidden_states[-3] after the prompt template (template tokens cropped, padded to a fixed length with a
mask), CLIP-L pooled output, SigLIP last hidden state, VAE latents times the scaling factor.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from .components import Components
from .loop import TextConditioning

CACHE_SIZE = 16


class _LruCache(OrderedDict):
    def get_or(self, key: str, make: Callable[[], Any]) -> Any:
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = make()
        while len(self) > CACHE_SIZE:
            self.popitem(last=False)
        return value


_TEXT_CACHE = _LruCache()
_IMAGE_CACHE = _LruCache()


def _key(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.tobytes() if isinstance(part, np.ndarray) else repr(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def load_image(path: Path, width: int, height: int) -> np.ndarray:
    """The image as (height, width, 3) uint8: scaled to cover, then centre-cropped (FramePack's way)."""
    with Image.open(path) as img:
        return fit_image(np.asarray(img.convert("RGB")), width, height)


def fit_image(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Resize (Lanczos) to cover width x height and centre-crop.  image: (H, W, 3) uint8."""
    if image.shape[:2] == (height, width):
        return image
    pil = Image.fromarray(image)
    scale = max(width / pil.width, height / pil.height)
    resized = pil.resize((round(pil.width * scale), round(pil.height * scale)), Image.LANCZOS)
    left, top = (resized.width - width) / 2, (resized.height - height) / 2
    return np.asarray(resized.crop((left, top, left + width, top + height)))


def prompt_key(components: Components, prompt: str) -> str:
    return _key(components.identity, components.prompt_template, prompt)


def prompt_is_cached(components: Components, prompt: str) -> bool:
    """In memory or in the project's embedding store: encoding it will not load the text encoders."""
    key = prompt_key(components, prompt)
    store = components.embed_store
    return key in _TEXT_CACHE or (store is not None and store.has(key))


@torch.no_grad()
def encode_prompt(components: Components, prompt: str) -> TextConditioning:
    """Llama features (template-cropped, padded with a mask) + CLIP-L pooled vector, cached by prompt
    in memory and, when the components have one, in the project's embedding store on disk."""
    key = prompt_key(components, prompt)
    return _TEXT_CACHE.get_or(key, lambda: _stored_or_encoded(components, key, prompt))


def _stored_or_encoded(components: Components, key: str, prompt: str) -> TextConditioning:
    store = components.embed_store
    cached = store.text(key) if store is not None else None
    if cached is not None:
        return cached
    llama, clip = components.get_text_encoders()
    text = _run_text_encoders(components, llama, clip, prompt)
    if store is not None:
        store.put_text(key, text)
    return text


def encode_prompts(components: Components, prompts: list[str]) -> int:
    """Encode every prompt not cached yet in one text-encoder session; returns how many were encoded."""
    missing = list(dict.fromkeys(p for p in prompts if not prompt_is_cached(components, p)))
    for prompt in missing:
        encode_prompt(components, prompt)
    if missing:
        components.free_text_encoders()
    return len(missing)


def _run_text_encoders(components: Components, llama, clip, prompt: str) -> TextConditioning:
    template, device = components.prompt_template, components.device
    tokens = components.tokenizer(
        [template.template.format(prompt)],
        padding="max_length",
        max_length=template.max_tokens + template.crop_start,
        truncation=True,
        return_tensors="pt",
        return_attention_mask=True,
    )
    mask = tokens.attention_mask.to(device).bool()
    hidden = llama(
        input_ids=tokens.input_ids.to(device), attention_mask=mask.long(), output_hidden_states=True
    ).hidden_states[-3]  # (1, N, D)
    # Keep the real tokens (whichever side the tokenizer padded), minus the template's system prompt.
    features = hidden[0][mask[0]][template.crop_start :][: template.pad_to]  # (n, D)
    embeds = features.new_zeros((1, template.pad_to, features.shape[-1]))
    embeds[0, : features.shape[0]] = features
    text_mask = torch.zeros((1, template.pad_to), dtype=torch.bool, device=device)
    text_mask[0, : features.shape[0]] = True

    clip_ids = components.tokenizer_2(
        [prompt], padding="max_length", max_length=77, truncation=True, return_tensors="pt"
    ).input_ids
    pooled = clip(clip_ids.to(device), output_hidden_states=False).pooler_output  # (1, D_pool)
    return TextConditioning(embeds=embeds.float().cpu(), mask=text_mask.cpu(), pooled=pooled.float().cpu())


@torch.no_grad()
def encode_image(components: Components, image: np.ndarray) -> torch.Tensor:
    """SigLIP last hidden state (1, M, D) of an (H, W, 3) uint8 image, cached by pixels."""
    key = _key(components.identity, image.shape, image)
    store = components.embed_store

    def make() -> torch.Tensor:
        cached = store.image(key) if store is not None else None
        if cached is not None:
            return cached
        inputs = components.feature_extractor.preprocess(images=image, return_tensors="pt")
        encoder = components.image_encoder
        pixels = inputs["pixel_values"].to(device=components.device, dtype=encoder.dtype)
        embeds = encoder(pixel_values=pixels).last_hidden_state.float().cpu()
        if store is not None:
            store.put_image(key, embeds)
        return embeds

    return _IMAGE_CACHE.get_or(key, make)


def frames_to_pixels(frames: np.ndarray) -> torch.Tensor:
    """(T, H, W, 3) uint8 -> (1, 3, T, H, W) float in [-1, 1]."""
    frames = np.array(frames, dtype=np.uint8)  # a writable copy: torch warns on read-only arrays
    pixels = torch.from_numpy(frames).float() / 127.5 - 1.0  # (T, H, W, 3)
    return pixels.permute(3, 0, 1, 2).unsqueeze(0)


@torch.no_grad()
def vae_encode(components: Components, frames: np.ndarray, seed: int) -> torch.Tensor:
    """Latents (1, C, 1 + (T-1)//4, h, w), float32 CPU, of (T, H, W, 3) uint8 frames.

    Sampled from the VAE posterior with its own generator seeded by ``seed``: deterministic, and the
    section-noise generator is left alone.
    """
    vae = components.vae
    pixels = frames_to_pixels(frames).to(device=components.device, dtype=vae.dtype)
    posterior = vae.encode(pixels).latent_dist
    latents = posterior.sample(generator=torch.Generator("cpu").manual_seed(seed))
    return (latents * vae.config.scaling_factor).float().cpu()
