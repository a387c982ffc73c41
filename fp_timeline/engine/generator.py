"""The generator protocol: the one small interface between the engine and a generation plugin.

The engine knows nothing of torch.  A generator turns a ``RenderJob`` (a recipe with resolved
paths and an optional incoming packed context) into frames written to a ``FrameSink`` and an
outgoing ``ContextBlob``.  Generators are found through the ``fp_timeline.generators`` entry point
group (see ``registry.py``).

Protocol v2 adds optional declarations, read through ``capabilities.py`` with defaults for
generators that predate them: ``inputs`` (media fields), ``dependencies(recipe)``,
``accepts_contexts``, ``params_schema`` / ``options_schema`` (``schema.Setting``) and ``release()``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from fp_timeline.project.errors import Problem
from fp_timeline.project.recipe import Recipe


class RenderCancelled(Exception):
    """Raised by a generator when its ``CancelToken`` is set; the project stays as it was."""


class CancelToken:
    """Cooperative cancellation: generators call ``raise_if_cancelled()`` between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise RenderCancelled("render cancelled")


@dataclass(frozen=True)
class Progress:
    """One progress report.  ``step``/``total`` count sampler steps over the whole clip."""

    clip: str
    stage: str  # e.g. "encode", "sample", "decode"
    step: int
    total: int
    section: int = 0
    sections: int = 0
    message: str = ""
    preview: np.ndarray | None = field(default=None, repr=False)  # (H, W, 3) uint8, cheap latent preview


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class ContextBlob:
    """A saved packed context: opaque to the engine, read only by the plugin that wrote it."""

    path: Path
    hash: str  # identity of the content (the recipe hash of the clip that produced it)
    metadata: dict[str, str] = field(default_factory=dict)


class FrameSink(Protocol):
    """Where a generator streams its frames: (H, W, 3) uint8 RGB arrays, in order."""

    def write(self, frame: np.ndarray) -> None: ...

    @property
    def frames_written(self) -> int: ...


class Dependency(str, Enum):
    """What a clip needs from its neighbours on the track, besides its own recipe."""

    PREVIOUS_CONTEXT = "previous_context"  # the previous clip's outgoing context (carry)
    PREVIOUS_LAST_FRAME = "previous_last_frame"  # the last frame of the previous clip's take
    NEXT_FIRST_FRAME = "next_first_frame"  # the first frame of the next clip's take


VIDEO_CONTEXT = "video"  # in ``accepts_contexts``: any video, encoded through ``VideoContextEncoder``


@dataclass(frozen=True)
class MediaInput:
    """A recipe field holding media paths (``params.end_image``, ``params.loras[].path``)."""

    field: str
    kind: str  # "image" | "lora" | "video"
    help: str = ""


@dataclass(frozen=True)
class RenderJob:
    """Everything a generator needs for one clip, with paths already resolved."""

    clip: str
    recipe: Recipe
    recipe_hash: str
    image_path: Path | None  # absolute path of the start image (None: carried clip keeps upstream anchor)
    incoming: ContextBlob | None  # the upstream clip's outgoing context when the clip carries
    context_path: Path  # where to save the outgoing context (safetensors)
    work_dir: Path  # scratch space for checkpoints; survives a killed render so it can resume
    options: dict[str, Any] = field(default_factory=dict)  # runtime choices (device, preset) not in the recipe
    cache_dir: Path | None = None  # the project's cache folder (encodings, offloaded weights); None: none kept
    media: dict[str, Path] = field(default_factory=dict)  # every declared media path, stored spelling -> absolute
    neighbour_frames: dict[str, np.ndarray] = field(default_factory=dict, repr=False)  # by ``Dependency`` value


@runtime_checkable
class Generator(Protocol):
    """A clip generator.  ``id`` matches ``Recipe.generator``; ``version`` enters the recipe hash."""

    id: str
    version: str

    def validate(self, recipe: Recipe) -> list[Problem]:
        """Problems with the generator-specific parts of a recipe (params, sizes); empty if fine."""
        ...

    def snap_frames(self, frames: int, carried: bool, recipe: Recipe | None = None) -> int:
        """The nearest frame count this generator can produce for a clip (e.g. whole F1 sections).

        ``recipe``, when given, is the clip's recipe: its params may set the section length.
        """
        ...

    def render(self, job: RenderJob, out: FrameSink, progress: ProgressCallback, cancel: CancelToken) -> ContextBlob:
        """Generate the clip into ``out``; save and return the outgoing context at ``job.context_path``."""
        ...


@dataclass(frozen=True)
class RuntimeIdentity:
    """What, besides the recipe, decides a generator's pixels: model, preset, dtype...

    Known before anything renders (from the runtime options alone, no model loaded), it enters every
    take's identity, so a take made by another model shows as stale, with ``label`` saying which.
    """

    label: str  # for people: "the tiny preset (float32)", "the real model (bfloat16)"
    fields: dict[str, str] = field(default_factory=dict)  # what the digest covers

    @property
    def digest(self) -> str:
        text = json.dumps(self.fields, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@runtime_checkable
class RuntimeIdentified(Protocol):
    """Optional: a generator whose pixels depend on runtime options (weights, dtype) says how.

    A generator without it is identified by its id and version alone (see ``engine.identity``).
    """

    def runtime_identity(self, options: dict[str, Any]) -> RuntimeIdentity:
        """The identity of the model that would render with ``options``; raises ``ValueError`` for bad options."""
        ...


@runtime_checkable
class ExplainsResources(Protocol):
    """Optional: a generator that can say how it would use this machine (memory plan, device, threads)."""

    def explain(self, options: dict[str, Any]) -> str:
        """Human-readable lines: the plan a render with ``options`` would use, and why.  Loads no model."""
        ...


@runtime_checkable
class PreparesRender(Protocol):
    """Optional: a generator that does shared work for a whole render before its first clip (e.g. encodes
    every new prompt in one text-encoder session, into ``cache_dir``)."""

    def prepare(
        self,
        recipes: list[Recipe],
        options: dict[str, Any],
        cache_dir: Path | None,
        progress: ProgressCallback,
        cancel: CancelToken,
    ) -> None: ...


@runtime_checkable
class SizesFromImage(Protocol):
    """Optional: a generator that picks a new clip's size from its start image (F1: FramePack's buckets)."""

    def size_for_image(self, width: int, height: int) -> tuple[int, int]:
        """(width, height) for a clip starting from a ``width`` x ``height`` image."""
        ...


@dataclass(frozen=True)
class TakeSplit:
    """A rendered take to cut in two (``TakeSplitter``): its files as the generator wrote them."""

    media: Path
    context: Path


@runtime_checkable
class TakeSplitter(Protocol):
    """Optional: a generator that cuts one of its takes in two without generating anything.

    ``first`` and ``second`` are the halves as a render would get them (recipes, hashes, where their
    contexts go; ``first.incoming`` is the original's incoming context).  Both halves together must equal
    a render of ``first`` then ``second`` (the second carries, continuing the noise), frame for frame.
    """

    def split_take(
        self,
        source: TakeSplit,
        first: RenderJob,
        second: RenderJob,
        out_first: FrameSink,
        out_second: FrameSink,
        cancel: CancelToken,
    ) -> tuple[ContextBlob, ContextBlob]:
        """Write both halves' frames and save both outgoing contexts; return them."""
        ...


@runtime_checkable
class VideoContextEncoder(Protocol):
    """Optional: a generator that can start from a video it did not make (extend an imported mp4)."""

    def context_from_frames(
        self, frames: np.ndarray, recipe: Recipe, context_path: Path, options: dict[str, Any]
    ) -> ContextBlob:
        """Encode the last frames of a video ((T, H, W, 3) uint8, oldest first) into a packed context."""
        ...
