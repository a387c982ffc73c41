"""The clip recipe: everything needed to (re)generate one clip, stored in ``metadata["fp_timeline"]``.

A recipe is plain JSON-able data so that a project written by plain ``opentimelineio`` code, with
the same metadata, loads here too.  ``Recipe.from_metadata`` is the only way in and reports every
bad field at once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.numbers import is_int, is_number
from fp_timeline.project.text import text_problems

METADATA_KEY = "fp_timeline"
SCHEMA_VERSION = 1
SUPPORTED_SCHEMAS = (1,)
SEED_MAX = 2**32 - 1
DEFAULT_GENERATOR = "framepack_f1"
F1_NATIVE_FPS = 30
# Limits any generator shares (a generator may be stricter: F1 takes <= 2048 px a side).
MAX_CLIP_SECONDS = 600  # 10 minutes
MAX_SIDE = 8192
MAX_FPS = 240


class ContextMode(str, Enum):
    """Where a clip's generation starts."""

    FRESH = "fresh"  # from its own start image
    CARRY = "carry"  # from the previous clip's packed context on the same track


class NoiseMode(str, Enum):
    """Where a carried clip's section noise comes from."""

    OWN = "own"  # a generator seeded by this clip's seed: re-rolling one clip changes only it
    CONTINUE = "continue"  # the upstream clip's noise stream: a chain equals one long generation


@dataclass(frozen=True)
class Recipe:
    """What a generated clip is made from.  ``frames`` counts frames at ``fps``."""

    prompt: str
    seed: int
    frames: int
    width: int = 640
    height: int = 640
    fps: float = F1_NATIVE_FPS
    image: str | None = None  # project-relative path (POSIX separators); None: keep upstream anchor
    generator: str = DEFAULT_GENERATOR
    params: dict[str, Any] = field(default_factory=dict)
    context: ContextMode = ContextMode.FRESH
    noise: NoiseMode = NoiseMode.OWN
    schema: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        # Accept plain strings for the modes (as stored in JSON) wherever a recipe is built.
        object.__setattr__(self, "context", ContextMode(self.context))
        object.__setattr__(self, "noise", NoiseMode(self.noise))

    @property
    def carries(self) -> bool:
        return self.context is ContextMode.CARRY

    def replace(self, **changes: Any) -> Recipe:
        return dataclasses.replace(self, **changes)

    def to_metadata(self) -> dict[str, Any]:
        """The JSON-able dict stored in ``clip.metadata["fp_timeline"]``."""
        return {
            "schema": self.schema,
            "prompt": self.prompt,
            "seed": self.seed,
            "frames": self.frames,
            "width": self.width,
            "height": self.height,
            "fps": self.fps,
            "image": self.image,
            "generator": self.generator,
            "params": dict(self.params),
            "context": self.context.value,
            "noise": self.noise.value,
        }

    @classmethod
    def from_metadata(cls, data: Any, clip: str | None = None) -> Recipe:
        """Build a recipe from stored metadata; raises ``ProjectError`` naming each bad field."""
        if not hasattr(data, "get"):
            raise ProjectError(Problem(f"recipe must be a mapping, got {type(data).__name__}", clip=clip))
        schema = _schema(data, clip)
        checks = _Checks(clip)
        prompt = _prompt(data, checks)
        seed, fps, frames = _seed_fps_frames(data, checks)
        width, height = _size(data, checks)
        image, generator = _image_generator(data, checks)
        params = _params(data, checks)
        context = _enum(ContextMode, data.get("context", "fresh"), "context", checks.bad)
        noise = _enum(NoiseMode, data.get("noise", "own"), "noise", checks.bad)
        if context is ContextMode.FRESH and image is None:
            checks.bad("image", "a fresh clip needs a start image")
        if checks.problems:
            raise ProjectError(checks.problems)
        return cls(
            prompt=prompt,
            seed=int(seed),
            frames=int(frames),
            width=int(width),
            height=int(height),
            fps=float(fps),
            image=image,
            generator=generator,
            params=params,
            context=context,
            noise=noise,
            schema=schema,
        )


@dataclass
class _Checks:
    """The problems ``Recipe.from_metadata`` found so far, every bad field at once."""

    clip: str | None
    problems: list[Problem] = field(default_factory=list)

    def bad(self, field_name: str, message: str) -> None:
        self.problems.append(Problem(message, clip=self.clip, field=field_name))


def _schema(data: Any, clip: str | None) -> int:
    """The recipe's schema version; one we cannot read stops the checks at once."""
    schema = data.get("schema")
    if schema not in SUPPORTED_SCHEMAS:
        message = f"unsupported schema version {_shown(schema)} (this fp-timeline reads {SUPPORTED_SCHEMAS})"
        raise ProjectError(Problem(message, clip=clip, field="schema"))
    return int(schema)


def _prompt(data: Any, checks: _Checks) -> Any:
    prompt = data.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        checks.bad("prompt", "prompt must be a non-empty string")
    else:
        checks.problems.extend(text_problems(prompt, "prompt", checks.clip))
    return prompt


def _seed_fps_frames(data: Any, checks: _Checks) -> tuple[Any, Any, Any]:
    seed = data.get("seed")
    if not is_int(seed) or not 0 <= seed <= SEED_MAX:
        checks.bad("seed", f"seed must be an integer in 0..{SEED_MAX}, got {_shown(seed)}")
    fps = data.get("fps", F1_NATIVE_FPS)
    if not is_number(fps) or not 0 < fps <= MAX_FPS:
        checks.bad("fps", f"fps must be a number in (0, {MAX_FPS}], got {_shown(fps)}")
        fps = F1_NATIVE_FPS
    frames = data.get("frames")
    if not is_int(frames) or frames <= 0:
        checks.bad("frames", f"duration must be a positive number of frames, got {_shown(frames)}")
    elif frames > MAX_CLIP_SECONDS * fps:
        checks.bad("frames", f"{frames} frames is longer than {MAX_CLIP_SECONDS // 60} minutes at {fps:g} fps")
    return seed, fps, frames


def _size(data: Any, checks: _Checks) -> tuple[Any, Any]:
    width, height = data.get("width", 640), data.get("height", 640)
    for name, value in (("width", width), ("height", height)):
        if not is_int(value) or value < 16 or value % 16 or value > MAX_SIDE:
            checks.bad(name, f"{name} must be a multiple of 16 in 16..{MAX_SIDE}, got {_shown(value)}")
    return width, height


def _image_generator(data: Any, checks: _Checks) -> tuple[Any, Any]:
    image = data.get("image")
    if image is not None and (not isinstance(image, str) or not image):
        checks.bad("image", f"image must be a path string, got {_shown(image)}")
    elif image is not None:
        checks.problems.extend(text_problems(image, "image", checks.clip, max_length=4096))
    generator = data.get("generator", DEFAULT_GENERATOR)
    if not isinstance(generator, str) or not generator:
        checks.bad("generator", f"generator must be a generator id string, got {_shown(generator)}")
    return image, generator


def _params(data: Any, checks: _Checks) -> dict[str, Any]:
    params = data.get("params", {})
    if not hasattr(params, "items"):
        checks.bad("params", f"params must be a mapping, got {type(params).__name__}")
        return {}
    try:  # walk OTIO's AnyDictionary once (each walk is slow), then check the plain copy
        params = plain_value(params)
    except KeyError:  # a mapping that cannot list itself: OTIO cut a key at a NUL character
        checks.bad("params", "params hold a key OTIO cannot read back (a NUL character in it)")
        return {}
    if (why := _unstorable(params)) is not None:
        checks.bad("params", f"params hold {why}, which a project file cannot store")
    return params


INT64 = 2**63


def _unstorable(value: Any) -> str | None:
    """What in ``value`` OTIO's metadata cannot hold unchanged: integers past 64 bits, NUL, non-UTF-8."""
    if is_int(value) and not -INT64 <= value < INT64:
        return f"the integer {value} (beyond 64 bits)"
    if isinstance(value, str) and text_problems(value, "text"):
        return f"the text {_shown(value)}"
    if hasattr(value, "items"):
        for key, item in value.items():
            why = _unstorable(str(key)) or _unstorable(item)
            if why is not None:
                return why
    elif isinstance(value, (list, tuple)) or type(value).__name__ == "AnyVector":
        for item in value:
            why = _unstorable(item)
            if why is not None:
                return why
    return None


def _shown(value: Any) -> str:
    """``repr`` for plain values; the type for containers (an OTIO container with a NUL key cannot print)."""
    return repr(value) if value is None or isinstance(value, (str, int, float)) else type(value).__name__


def _enum(kind: type[Enum], value: Any, field_name: str, bad) -> Any:
    try:
        return kind(value)
    except Exception:  # ValueError, or an OTIO container that cannot even be compared (a NUL key)
        allowed = ", ".join(m.value for m in kind)
        bad(field_name, f"{field_name} must be one of {allowed}, got {_shown(value)}")
        return next(iter(kind))


def plain_value(value: Any) -> Any:
    """OTIO hands back AnyDictionary/AnyVector; turn them into dict/list for hashing and JSON."""
    if hasattr(value, "items"):  # (an empty one is common, and iterating OTIO's mappings is slow)
        return {str(k): plain_value(v) for k, v in value.items()} if len(value) else {}
    if isinstance(value, (list, tuple)) or type(value).__name__ == "AnyVector":
        return [plain_value(v) for v in value]
    return value
