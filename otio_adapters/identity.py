"""Which recipe an exported clip came from, written so that it survives an NLE round trip.

Formats that keep our metadata (``.otio``) carry it under ``metadata["fp_timeline"]["export"]``;
the others only keep text an editor can see, so the same identity is also written as one short
tag, ``fp:shot_010/take_001@3f2a9c0d1e4b5a69``, in clip comments (FCP 7 XML) or EDL comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

EXPORT_KEY = "export"  # under metadata["fp_timeline"] on exported clips
_TAG = re.compile(r"\bfp:(?P<clip>[^\s/@]+)/(?P<take>[^\s/@]+)@(?P<hash>[0-9a-f]*)")


@dataclass(frozen=True)
class RecipeId:
    """A clip name (unique in a project), the take exported, and the recipe hash it was rendered from."""

    clip: str
    take: str
    recipe_hash: str

    @property
    def tag(self) -> str:
        return f"fp:{self.clip}/{self.take}@{self.recipe_hash}"

    def to_metadata(self) -> dict[str, str]:
        return {"clip": self.clip, "take": self.take, "recipe_hash": self.recipe_hash}

    @classmethod
    def from_metadata(cls, data: Any) -> RecipeId | None:
        if not hasattr(data, "get") or not data.get("clip"):
            return None
        return cls(str(data["clip"]), str(data.get("take", "")), str(data.get("recipe_hash", "")))


def find_tag(text: str) -> RecipeId | None:
    """The first recipe tag in free text (a clip comment, an EDL comment line), if any."""
    match = _TAG.search(text or "")
    if match is None:
        return None
    return RecipeId(match.group("clip"), match.group("take"), match.group("hash"))
