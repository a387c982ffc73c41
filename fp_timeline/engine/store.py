"""Where takes, contexts and resumable work live on disk, inside the project's ``<stem>.fp/`` folder.

```
<stem>.fp/renders/<clip>/take_NNN.mp4                 the take (appears only when complete)
<stem>.fp/renders/<clip>/take_NNN.context.safetensors  its outgoing packed context
<stem>.fp/renders/<clip>/take_NNN.json                 what produced it (recipe, generator, options)
<stem>.fp/work/<clip>-<recipe_hash>/                   checkpoints of a render in flight
<stem>.fp/imported/<clip>-<hash>.<generator>-<options>.context.safetensorsan imported video's last frames, encoded
```
Take numbers are never reused: a number counts as taken when the project lists it *or* any file
with that number exists (a render killed after writing its files but before the project was saved).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import opentimelineio as otio

from fp_timeline.project.atomic import write_text_atomic
from fp_timeline.project.document import Project
from fp_timeline.project.takes import takes_of

ENGINE_RECORD_VERSION = 1  # "engine_record" in a take's JSON record

_NUMBERED = re.compile(r"^\.?take_(\d{3,})[.]")


@dataclass(frozen=True)
class TakePaths:
    key: str
    media: Path
    context: Path
    record: Path


def take_paths(project: Project, clip_name: str, key: str) -> TakePaths:
    folder = project.render_dir(clip_name)
    return TakePaths(
        key=key,
        media=folder / f"{key}.mp4",
        context=folder / f"{key}.context.safetensors",
        record=folder / f"{key}.json",
    )


def write_take_record(paths: TakePaths, record: dict[str, Any]) -> None:
    """Write take ``paths.key``'s record (what produced it) atomically; the engine's only writer of records."""
    write_text_atomic(
        paths.record, json.dumps({"engine_record": ENGINE_RECORD_VERSION, **record}, indent=2, sort_keys=True)
    )


def read_take_record(project: Project, clip_name: str, key: str) -> dict[str, Any] | None:
    """The record beside take ``key`` of ``clip_name`` (its recipe, the take, the model...), or None when it
    is missing or not a JSON object: the one reader, for stale reasons and adopting a finished take."""
    try:
        record = json.loads(take_paths(project, clip_name, key).record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def next_free_take_key(project: Project, clip: otio.schema.Clip) -> str:
    """The next ``take_NNN`` neither in the project nor on disk: takes are never overwritten."""
    numbers = [t.number for t in takes_of(clip)]
    folder = project.render_dir(clip.name)
    if folder.is_dir():
        for entry in folder.iterdir():
            match = _NUMBERED.match(entry.name)
            if match:
                numbers.append(int(match.group(1)))
    return f"take_{max(numbers, default=0) + 1:03d}"


def work_dir(project: Project, clip_name: str, recipe_hash: str) -> Path:
    """Stable per (clip, recipe hash): a killed render finds its checkpoints here on the next run."""
    return project.data_dir / "work" / f"{clip_name}-{recipe_hash}"


def imported_context(
    project: Project, clip_name: str, media_hash: str, generator_id: str, options: dict[str, Any] | None = None
) -> Path:
    """Where the context encoded from an imported clip's last frames is kept.

    Keyed by generator and runtime options too: a context encoded by the tiny preset's VAE is no use
    to the real model (the plugin would refuse it), so switching preset encodes anew.
    """
    variant = hashlib.sha256(json.dumps(sorted((options or {}).items()), default=str).encode()).hexdigest()[:8]
    name = f"{clip_name}-{media_hash}.{generator_id}-{variant}.context.safetensors"
    return project.data_dir / "imported" / name


def delete_take_files(project: Project, clip_name: str, key: str) -> list[Path]:
    """Delete every file of take ``key`` (video, context, record, the generator's side files); returns them.

    The only way fp-timeline removes a take from disk, and only when the user asks for it.
    """
    folder = project.render_dir(clip_name)
    deleted = []
    for path in sorted(folder.glob(f"{key}.*")) if folder.is_dir() else []:
        if path.is_file() and _NUMBERED.match(path.name):
            path.unlink()
            deleted.append(path)
    return deleted
