"""``--param NAME=VALUE`` and ``--set NAME=VALUE``: generator settings read through their schemas.

The CLI names no generator setting itself; each generator's ``params_schema`` / ``options_schema``
says what exists, its type and range, so a new generator gets its flags without CLI changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fp_timeline.engine import capabilities
from fp_timeline.engine.registry import load_generator
from fp_timeline.engine.schema import Setting
from fp_timeline.project.document import Project
from fp_timeline.project.errors import Problem, ProjectError


def parse_params(generator_id: str, pairs: Iterable[str], project: Project) -> dict[str, Any]:
    """Recipe params from ``NAME=VALUE`` pairs; media params are stored relative to the project."""
    generator = load_generator(generator_id)
    schema = capabilities.params_schema(generator) or ()
    values = _parse(pairs, {s.name: s for s in schema}, f"{generator_id} param", "--param")
    media = {i.field.removeprefix("params.") for i in capabilities.media_inputs(generator)}
    for name, value in values.items():
        if name in media and isinstance(value, str):
            values[name] = project.relative(Path(value).resolve())  # as typed: relative to the shell
        elif name + "[].path" in media and isinstance(value, list):
            values[name] = [dict(item, path=project.relative(Path(item["path"]).resolve())) for item in value]
    return values


def parse_options(generator_ids: Iterable[str], pairs: Iterable[str]) -> dict[str, Any]:
    """Runtime options for the generators about to render, from ``NAME=VALUE`` pairs."""
    known: dict[str, Setting] = {}
    for generator_id in sorted(set(generator_ids)):
        for setting in capabilities.options_schema(load_generator(generator_id)):
            known.setdefault(setting.name, setting)
    return _parse(pairs, known, "option", "--set")


def option_choices(name: str, generator_ids: Iterable[str]) -> tuple[str, ...]:
    """Every choice any of these generators offers for option ``name`` (e.g. the presets)."""
    choices: dict[str, None] = {}
    for generator_id in generator_ids:
        for setting in capabilities.options_schema(load_generator(generator_id)):
            if setting.name == name:
                choices.update(dict.fromkeys(setting.choices))
    return tuple(choices)


def _parse(pairs: Iterable[str], known: dict[str, Setting], what: str, flag: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    problems = []
    for pair in pairs:
        name, sep, text = pair.partition("=")
        setting = known.get(name.strip())
        if not sep or setting is None:
            names = ", ".join(sorted(known)) or "none"
            problems.append(Problem(f"{flag} {pair!r}: unknown {what} (known: {names})", field=name.strip()))
            continue
        try:
            values[setting.name] = setting.parse(text)
        except ValueError as err:
            problems.append(Problem(f"{flag}: {err}", field=setting.name))
    if problems:
        raise ProjectError(problems)
    return values
