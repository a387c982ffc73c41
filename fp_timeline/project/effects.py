"""Post-processing as non-destructive effects: OTIO ``Effect`` objects on a clip, a track or the timeline.

An effect is ``otio.schema.Effect(name=<kind>, effect_name="fp_timeline.<kind>")`` whose settings live
in ``metadata["fp_timeline"]["settings"]``.  The take stays as generated; the processed media is
derived from it by the engine (``engine.postfx``) and cached by (take, effect settings).

A clip's effect stack is its own effects, then its track's, then the timeline's (the order they
apply in, inner to outer).  Effects from other tools (no ``fp_timeline.`` prefix) are left alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import opentimelineio as otio

from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.recipe import METADATA_KEY

EFFECT_PREFIX = "fp_timeline."
EFFECT_SCHEMA = 1
BUILTIN_MODEL = "lanczos"  # upscale without weights: FFmpeg's lanczos scaler


def _positive(value: float) -> bool:
    return value > 0


@dataclass(frozen=True)
class Setting:
    """One setting of an effect kind: its type, default and the range it must be in."""

    name: str
    kind: type
    default: Any
    check: Callable[[Any], bool] = lambda _: True
    rule: str = ""  # what ``check`` requires, for error messages
    choices: tuple[str, ...] = ()


KINDS: dict[str, tuple[Setting, ...]] = {
    "upscale": (
        Setting("factor", float, 2.0, lambda v: 1 < v <= 8, "between 1 (excluded) and 8"),
        Setting("model", str, BUILTIN_MODEL, rule="'lanczos' or a .pth/.safetensors file in the project folder"),
        Setting("tile", int, 0, lambda v: v == 0 or v >= 32, "0 (whole frame) or at least 32 pixels"),
    ),
    "interpolate": (
        Setting("fps", float, 0.0, lambda v: v == 0 or 1 <= v <= 240, "0 (use factor) or 1..240"),
        Setting("factor", int, 2, lambda v: 2 <= v <= 8, "2..8"),
        Setting("method", str, "mci", choices=("mci", "blend")),
    ),
    "loop": (
        Setting("mode", str, "crossfade", choices=("crossfade", "pingpong")),
        Setting("overlap", int, 12, lambda v: v >= 1, "at least 1 frame"),
    ),
    "denoise": (Setting("strength", float, 3.0, lambda v: 1 <= v <= 30, "1..30"),),
    "sharpen": (
        Setting("amount", float, 1.0, lambda v: -2 <= v <= 5 and v != 0, "-2..5, not 0"),
        Setting("size", int, 5, lambda v: 3 <= v <= 23 and v % 2 == 1, "odd, 3..23"),
    ),
    "colormatch": (
        Setting("reference", str, "", lambda v: bool(v), "the name of another clip"),
        Setting("strength", float, 1.0, lambda v: 0 < v <= 1, "0 (excluded) .. 1"),
    ),
}
POSITIONAL = {k: settings[0].name for k, settings in KINDS.items()}  # ``upscale:2`` sets ``factor``


@dataclass(frozen=True)
class PostEffect:
    """One post-process: a kind and its complete, checked settings."""

    kind: str
    settings: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "settings", checked_settings(self.kind, self.settings))

    def describe(self) -> str:
        """``interpolate(fps=0, factor=2, method=mci)``: every setting, for listings and exports."""
        shown = [f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in self.settings.items()]
        return f"{self.kind}({', '.join(shown)})"

    def identity(self) -> dict[str, Any]:
        """What the derived media depends on (the cache key's part for this effect)."""
        return {"kind": self.kind, "settings": dict(sorted(self.settings.items()))}


def checked_settings(kind: str, given: dict[str, Any], clip: str | None = None) -> dict[str, Any]:
    """Every setting of ``kind``, typed and range-checked; raises ``ProjectError`` naming each bad field."""
    if kind not in KINDS:
        raise ProjectError(Problem(f"unknown effect {kind!r} (known: {', '.join(KINDS)})", clip=clip, field="effects"))
    specs = {s.name: s for s in KINDS[kind]}
    problems = [
        Problem(f"{kind} has no setting {name!r} (settings: {', '.join(specs)})", clip=clip, field=f"{kind}.{name}")
        for name in given
        if name not in specs
    ]
    settings: dict[str, Any] = {}
    for spec in specs.values():
        value = given.get(spec.name, spec.default)
        try:
            value = _typed(spec, value)
        except (TypeError, ValueError):
            problems.append(
                Problem(f"expected {spec.kind.__name__}, got {value!r}", clip=clip, field=f"{kind}.{spec.name}")
            )
            continue
        if spec.choices and value not in spec.choices:
            problems.append(
                Problem(f"{value!r} is not one of {', '.join(spec.choices)}", clip=clip, field=f"{kind}.{spec.name}")
            )
        elif not spec.check(value):
            problems.append(Problem(f"{value!r} must be {spec.rule}", clip=clip, field=f"{kind}.{spec.name}"))
        settings[spec.name] = value
    if problems:
        raise ProjectError(problems)
    return settings


def _typed(spec: Setting, value: Any) -> Any:
    if spec.kind is float:
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(value)
        return number
    if spec.kind is int:
        number = float(value)
        if number != int(number):
            raise ValueError(value)
        return int(number)
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def parse_effect(spec: str, clip: str | None = None) -> PostEffect:
    """``upscale:2``, ``interpolate:60``, ``interpolate:factor=2``, ``loop:pingpong``, ``upscale:4,model=x.pth``."""
    kind, _, rest = spec.strip().partition(":")
    kind = kind.strip().lower()
    given: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in rest.split(","))):
        name, sep, value = part.partition("=")
        if not sep:
            name, value = POSITIONAL.get(kind, "?"), part
            if kind == "interpolate" and value.lower().startswith("x"):  # interpolate:x2 = factor 2
                name, value = "factor", value[1:]
        given[name.strip()] = value.strip()
    return PostEffect(kind, checked_settings(kind, given, clip))


def to_otio(effect: PostEffect) -> otio.schema.Effect:
    return otio.schema.Effect(
        name=effect.kind,
        effect_name=EFFECT_PREFIX + effect.kind,
        metadata={METADATA_KEY: {"postfx": EFFECT_SCHEMA, "kind": effect.kind, "settings": dict(effect.settings)}},
    )


def is_ours(effect: otio.schema.Effect) -> bool:
    return str(effect.effect_name).startswith(EFFECT_PREFIX) and METADATA_KEY in effect.metadata


def from_otio(effect: otio.schema.Effect, where: str | None = None) -> PostEffect:
    meta = effect.metadata[METADATA_KEY]
    kind = str(meta.get("kind", str(effect.effect_name).removeprefix(EFFECT_PREFIX)))
    return PostEffect(kind, checked_settings(kind, dict(meta.get("settings", {})), where))


def own_effects(item: otio.core.Item | otio.schema.Stack, where: str | None = None) -> list[PostEffect]:
    """The post-processes on one clip, track or the timeline's stack, in order."""
    return [from_otio(e, where or item.name) for e in item.effects if is_ours(e)]


def add_effect(item: otio.core.Item, effect: PostEffect) -> None:
    item.effects.append(to_otio(effect))


def remove_effect(item: otio.core.Item, which: str) -> PostEffect:
    """Remove one of our effects by position (1-based) or by kind (the last of that kind)."""
    ours = [i for i, e in enumerate(item.effects) if is_ours(e)]
    kinds = [str(item.effects[i].metadata[METADATA_KEY].get("kind")) for i in ours]
    if which.isdigit() and 1 <= int(which) <= len(ours):
        index = ours[int(which) - 1]
    elif which in kinds:
        index = ours[len(kinds) - 1 - kinds[::-1].index(which)]
    else:
        listed = ", ".join(f"{n}:{k}" for n, k in enumerate(kinds, 1)) or "none"
        raise ProjectError(
            Problem(f"no effect {which!r} to remove (effects: {listed})", clip=item.name, field="effects")
        )
    removed = from_otio(item.effects[index], item.name)
    del item.effects[index]
    return removed


def effect_stack(timeline: otio.schema.Timeline, clip: otio.schema.Clip) -> list[PostEffect]:
    """What applies to ``clip``: its own effects, then its track's, then the timeline's."""
    stack = own_effects(clip)
    track = clip.parent()
    if isinstance(track, otio.schema.Track):
        stack += own_effects(track)
    stack += own_effects(timeline.tracks, "timeline")
    return stack


def effect_problems(timeline: otio.schema.Timeline) -> list[Problem]:
    """Every unreadable effect setting anywhere in the timeline (for validation)."""
    problems: list[Problem] = []
    items: list[otio.core.Item | otio.schema.Stack] = [timeline.tracks, *timeline.tracks]
    items += [c for c in timeline.find_clips()]
    for item in items:
        for effect in item.effects:
            if not is_ours(effect):
                continue
            try:
                from_otio(effect, item.name)
            except ProjectError as err:
                problems.extend(err.problems)
    return problems
