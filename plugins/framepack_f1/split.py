"""Cutting a rendered F1 take in two without sampling: its section latents are kept beside it.

A carried chain is one generation cut into pieces, so a take split on a section boundary *is* the two
takes a render of the halves would make: the same latents, the same noise stream, the same contexts.
Only the decode differs at the cut (within a clip sections are cross-faded, at a cut they are not), so
both halves are decoded again from the kept latents, exactly as ``ChainRenderer`` decodes a cut: VAE
work only.  Each take keeps ``take_NNN.sections.safetensors``: its sections' latents and noise-generator
states, and the state the clip started from (history, decode tail, frame counts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save

from fp_timeline.project.atomic import write_bytes_atomic

from .context import PackedContext
from .decode import SectionDecoder
from .loop import LoopState

FORMAT = "fp_timeline.framepack_f1.sections"
CONTEXT_SUFFIX = ".context.safetensors"


def sections_path(context_path: Path) -> Path:
    """Where a take's sections live: beside its outgoing context, ``take_NNN.sections.safetensors``."""
    name = Path(context_path).name.removesuffix(CONTEXT_SUFFIX)
    return Path(context_path).with_name(f"{name}.sections.safetensors")


@dataclass(frozen=True)
class TakeSections:
    """What a take was made of, section by section, and where its clip started."""

    latents: list[torch.Tensor]  # per section (1, C, L, h, w), as the sampler returned them
    rng_states: list[torch.Tensor]  # the noise generator's state after each section
    start_history: torch.Tensor  # LoopState.history before the first section
    start_tail: torch.Tensor  # the decoder's tail before the first section (start latent, or the upstream's)
    start_real_frames: int
    start_pixel_frames: int
    fresh: bool  # the clip began at its start image (its first frame is written)

    def save(self, path: Path, model_id: str) -> None:
        tensors = {"start_history": self.start_history, "start_tail": self.start_tail}
        for index, (latents, rng) in enumerate(zip(self.latents, self.rng_states, strict=True)):
            tensors[f"latents_{index:04d}"] = latents
            tensors[f"rng_{index:04d}"] = rng
        metadata = {
            "format": FORMAT,
            "model_id": model_id,
            "sections": str(len(self.latents)),
            "start_real_frames": str(self.start_real_frames),
            "start_pixel_frames": str(self.start_pixel_frames),
            "fresh": "1" if self.fresh else "0",
        }
        data = save({k: v.detach().contiguous().cpu() for k, v in tensors.items()}, metadata=metadata)
        write_bytes_atomic(Path(path), data)

    @classmethod
    def load(cls, path: Path) -> TakeSections:
        try:
            with safe_open(str(path), framework="pt") as f:
                meta = f.metadata() or {}
                if meta.get("format") != FORMAT:
                    raise ValueError(f"{path}: not the sections of an F1 take")
                count = int(meta["sections"])
                return cls(
                    latents=[f.get_tensor(f"latents_{i:04d}") for i in range(count)],
                    rng_states=[f.get_tensor(f"rng_{i:04d}") for i in range(count)],
                    start_history=f.get_tensor("start_history"),
                    start_tail=f.get_tensor("start_tail"),
                    start_real_frames=int(meta["start_real_frames"]),
                    start_pixel_frames=int(meta["start_pixel_frames"]),
                    fresh=meta["fresh"] == "1",
                )
        except (OSError, SafetensorError, KeyError) as err:
            raise ValueError(f"{path}: cannot read the take's sections ({err}); render the clip again") from err


@dataclass(frozen=True)
class Half:
    """One half of a split: its sections, and what it writes."""

    sections: TakeSections
    context: PackedContext


def split_sections(
    source: TakeSections,
    outgoing: PackedContext,
    at_section: int,
    decode: Callable[[torch.Tensor], torch.Tensor],
    write_first: Callable[[np.ndarray], None],
    write_second: Callable[[np.ndarray], None],
) -> tuple[Half, Half]:
    """Decode sections ``[0, at_section)`` as the first take and the rest as the second, cut as
    ``ChainRenderer`` cuts; returns each half's sections and outgoing context."""
    if not 0 < at_section < len(source.latents):
        raise ValueError(f"a take of {len(source.latents)} sections cannot be cut after section {at_section}")
    state = LoopState(
        history=source.start_history.float(), anchor=outgoing.anchor.float(), real_frames=source.start_real_frames
    )
    first = _decode_run(source, range(0, at_section), state, source.start_tail, source.fresh, decode, write_first)
    tail = first.sections.latents[-1].float().cpu()
    second = _decode_run(source, range(at_section, len(source.latents)), first.state, tail, False, decode, write_second)
    pixel_first = source.start_pixel_frames + first.frames
    first_context = _context(outgoing, first.state, first.sections, pixel_first)
    second_sections = replace(
        second.sections,
        start_history=first.state.history,
        start_tail=tail,
        start_real_frames=first.state.real_frames,
        start_pixel_frames=pixel_first,
    )
    second_context = _context(outgoing, second.state, second_sections, pixel_first + second.frames)
    return Half(first.sections, first_context), Half(second_sections, second_context)


@dataclass(frozen=True)
class _Run:
    sections: TakeSections
    state: LoopState
    frames: int


def _decode_run(
    source: TakeSections,
    indices: range,
    state: LoopState,
    tail: torch.Tensor,
    fresh: bool,
    decode: Callable[[torch.Tensor], torch.Tensor],
    write: Callable[[np.ndarray], None],
) -> _Run:
    """Replay sections ``indices`` as one clip (no sampling): the decoder and loop state as in a render."""
    start = state
    decoder = SectionDecoder(decode, tail, fresh=fresh)
    frames = 0
    for index in indices:
        latents = source.latents[index]
        state = state.appended(latents)
        for frame in decoder.push(latents):
            write(frame)
            frames += 1
    for frame in decoder.finish():
        write(frame)
        frames += 1
    sections = TakeSections(
        latents=[source.latents[i] for i in indices],
        rng_states=[source.rng_states[i] for i in indices],
        start_history=start.history,
        start_tail=tail,
        start_real_frames=start.real_frames,
        start_pixel_frames=source.start_pixel_frames,
        fresh=fresh,
    )
    return _Run(sections, state, frames)


def _context(outgoing: PackedContext, state: LoopState, sections: TakeSections, pixel_frames: int) -> PackedContext:
    """The context after ``sections``: the original's anchor and image embedding, this half's history."""
    return replace(
        outgoing,
        history=state.history,
        decode_tail=sections.latents[-1].float().cpu(),
        rng_state=sections.rng_states[-1],
        latent_frames=state.real_frames,
        pixel_frames=pixel_frames,
    )
