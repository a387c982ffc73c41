"""Which model a render uses: each generator's runtime identity for a set of runtime options.

A take's identity is its recipe hash, and the hash chain covers the model too: ``versions_for``
gives ``project.hashing`` a ``version_of`` that folds each generator's ``RuntimeIdentity`` into
its version.  So a take made by the tiny preset is stale once renders use the real model, with a
reason that says so, and everything carried from it is stale as well, by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fp_timeline.engine import registry
from fp_timeline.engine.generator import RuntimeIdentified, RuntimeIdentity
from fp_timeline.project.errors import Problem, ProjectError


def runtime_identity(generator_id: str, options: dict[str, Any] | None = None) -> RuntimeIdentity:
    """The identity of the model ``generator_id`` renders with under ``options``; no model is loaded."""
    generator = registry.load_generator(generator_id)
    if not isinstance(generator, RuntimeIdentified):
        return RuntimeIdentity(label=f"{generator.id} {generator.version}")
    try:
        return generator.runtime_identity(dict(options or {}))
    except ValueError as err:  # a bad option (unknown preset or dtype): say so, naming the generator
        raise ProjectError(Problem(f"{generator.id}: {err}", field="options")) from None


def identity_version(version: str, identity: RuntimeIdentity) -> str:
    """The generator version as it enters a recipe hash; a generator without runtime fields keeps its plain version."""
    return f"{version}|{identity.digest}" if identity.fields else version


def versions_for(options: dict[str, Any] | None = None) -> Callable[[str], str]:
    """``version_of`` for ``project.hashing``: version plus runtime identity, computed once per generator.

    Its ``media_fields`` are likewise looked up once per generator: hashing asks for every clip.
    """
    known: dict[str, str] = {}
    fields: dict[str, Sequence[str]] = {}

    def version_of(generator_id: str) -> str:
        if generator_id not in known:
            identity = runtime_identity(generator_id, options)
            known[generator_id] = identity_version(registry.load_generator(generator_id).version, identity)
        return known[generator_id]

    def media_fields(generator_id: str) -> Sequence[str]:
        if generator_id not in fields:
            fields[generator_id] = registry.media_fields(generator_id)
        return fields[generator_id]

    version_of.media_fields = media_fields  # type: ignore[attr-defined]  # read by project.hashing
    version_of.neighbour_frames = registry.neighbour_frames  # type: ignore[attr-defined]  # likewise
    return version_of
