"""Settings as data: a generator describes its recipe params and runtime options with ``Setting``s.

From one schema come the checks ``validate`` runs, the CLI's ``--set NAME=VALUE`` parsing and the
inspector's controls, so neither the CLI nor the window holds generator-specific code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from fp_timeline.project.errors import Problem
from fp_timeline.project.numbers import is_int, is_number

KINDS = ("int", "float", "bool", "str", "text", "choice", "lora_list")
LORA_WEIGHT_RANGE = (-4.0, 4.0)


@dataclass(frozen=True)
class Setting:
    """One typed setting: ``kind`` is one of ``KINDS``; ``minimum``/``maximum`` bound numbers (inclusive)."""

    name: str
    kind: str
    default: Any = None
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    optional: bool = False  # None is allowed (and means "the generator decides")

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"setting {self.name!r}: kind must be one of {', '.join(KINDS)}, got {self.kind!r}")

    def describe_range(self) -> str:
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.minimum is not None and self.maximum is not None:
            return f"{self.minimum:g}..{self.maximum:g}"
        return self.kind

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not acceptable, or None."""
        if value is None:
            return None if self.optional else f"must be {self.describe_range()}, got null"
        if self.kind == "bool":
            return None if isinstance(value, bool) else f"must be true or false, got {value!r}"
        if self.kind in ("str", "text"):
            return None if isinstance(value, str) else f"must be a string, got {value!r}"
        if self.kind == "choice":
            return None if value in self.choices else f"must be one of {', '.join(self.choices)}, got {value!r}"
        if self.kind == "lora_list":
            return _lora_problem(value)
        number = is_int(value) if self.kind == "int" else is_number(value)
        low = self.minimum if self.minimum is not None else float("-inf")
        high = self.maximum if self.maximum is not None else float("inf")
        if not number or not low <= value <= high:
            what = "an integer" if self.kind == "int" else "a number"
            bounds = f" in {self.describe_range()}" if self.minimum is not None or self.maximum is not None else ""
            return f"must be {what}{bounds}, got {value!r}"
        return None

    def parse(self, text: str) -> Any:
        """A value from command-line text (``--set steps=8``); raises ``ValueError`` naming the setting."""
        text = text.strip()
        if self.optional and text.lower() in ("none", "null", ""):
            return None
        try:
            if self.kind == "int":
                value: Any = int(text)
            elif self.kind == "float":
                value = float(text)
            elif self.kind == "bool":
                lowered = text.lower()
                if lowered not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
                    raise ValueError(text)
                value = lowered in ("true", "1", "yes", "on")
            elif self.kind == "lora_list":
                value = parse_loras(text)
            else:
                value = text
        except ValueError:
            raise ValueError(f"{self.name}: cannot read {text!r} as {self.kind}") from None
        problem = self.problem(value)
        if problem:
            raise ValueError(f"{self.name}: {problem}")
        return value


def check_settings(schema: Sequence[Setting], values: dict[str, Any], prefix: str, owner: str) -> list[Problem]:
    """Every unknown name and bad value in ``values``, each naming ``prefix.name``."""
    known = {s.name: s for s in schema}
    problems = []
    for name, value in values.items():
        setting = known.get(name)
        if setting is None:
            names = ", ".join(known) or "none"
            noun = "parameter" if prefix == "params" else "option"
            problems.append(Problem(f"unknown {owner} {noun} {name!r} (known: {names})", field=f"{prefix}.{name}"))
            continue
        message = setting.problem(value)
        if message:
            problems.append(Problem(message, field=f"{prefix}.{name}"))
    return problems


def defaults(schema: Iterable[Setting]) -> dict[str, Any]:
    return {s.name: s.default for s in schema}


def parse_loras(text: str) -> list[dict[str, Any]]:
    """``a.safetensors:0.8,b.safetensors`` -> ``[{"path": "a.safetensors", "weight": 0.8}, ...]``."""
    loras = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        path, _, weight = item.rpartition(":") if ":" in item else (item, "", "1")
        loras.append({"path": path, "weight": float(weight)})
    return loras


def _lora_problem(value: Any) -> str | None:
    if not isinstance(value, list):
        return f"must be a list of {{path, weight}}, got {value!r}"
    low, high = LORA_WEIGHT_RANGE
    for index, item in enumerate(value):
        if not hasattr(item, "get") or not isinstance(item.get("path"), str) or not item.get("path"):
            return f"item {index} needs a path string, got {item!r}"
        unknown = set(item) - {"path", "weight"}
        if unknown:
            return f"item {index} has unknown keys {sorted(unknown)} (known: path, weight)"
        weight = item.get("weight", 1.0)
        if not is_number(weight) or not low <= weight <= high:
            return f"item {index}: weight must be a number in {low:g}..{high:g}, got {weight!r}"
    return None
