"""Where a recipe keeps media paths: the fields a generator declares as inputs.

A field is spelt like ``image``, ``params.end_image`` or ``params.loras[].path`` (``[]``: every item of
a list).  The project layer reads and re-points these paths (hashing by content, Save As) without
knowing which generator declared them; the engine supplies the declarations (``MediaFieldsOf``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

MediaFieldsOf = Callable[[str], Sequence[str]]  # generator id -> its media fields
START_IMAGE = "image"


def image_only(_generator: str) -> Sequence[str]:
    """What every generator has: the start image.  The engine's registry knows the rest."""
    return (START_IMAGE,)


def media_values(metadata: Any, field: str) -> list[tuple[str, str]]:
    """``(location, path)`` for every non-empty path string at ``field`` in recipe ``metadata``."""
    found: list[tuple[str, str]] = []
    for location, container, key in _slots(metadata, field.split("."), ""):
        value = container.get(key) if hasattr(container, "get") else None
        if isinstance(value, str) and value:
            found.append((location, value))
    return found


def map_media(metadata: Any, field: str, change: Callable[[str], str | None]) -> None:
    """Replace, in place, every path string at ``field`` by ``change(path)``."""
    for _location, container, key in _slots(metadata, field.split("."), ""):
        value = container.get(key) if hasattr(container, "get") else None
        if isinstance(value, str) and value:
            container[key] = change(value)


def _slots(node: Any, parts: list[str], location: str):
    """(location, container, key) of each leaf a field names; missing branches yield nothing."""
    head, rest = parts[0], parts[1:]
    many = head.endswith("[]")
    key = head.removesuffix("[]")
    if not hasattr(node, "get") or key not in node:
        return
    here = f"{location}.{key}" if location else key
    if many:
        items = node[key]
        if isinstance(items, (str, bytes)) or not hasattr(items, "__len__"):
            return
        for index in range(len(items)):
            if rest:
                yield from _slots(items[index], rest, f"{here}[{index}]")
        return
    if not rest:
        yield here, node, key
    else:
        yield from _slots(node[key], rest, here)
