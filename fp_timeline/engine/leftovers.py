"""What a render leaves in ``renders/<clip>/`` besides finished takes, and what happens to it.

* A render first *reserves* its take number with ``.take_NNN.reserved`` (created exclusively, holding
  its pid), so two renders of one project, in two processes, never write the same ``take_NNN``.
* A process killed mid-render leaves its reservation, a ``.take_NNN.partial.mp4`` and perhaps the
  context and record of a take whose mp4 never appeared; atomic saves leave ``.<name>.<pid>.*.tmp``.
  ``clean_leftovers`` removes those whose process is gone (never a live render's).
* A process killed after a take's mp4 appeared but before the project was saved leaves a complete,
  unregistered take.  ``adoptable_take`` finds it when its record says it was made from the clip's
  current recipe hash, so the next render adds it instead of rendering it again.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

from fp_timeline.engine.store import next_free_take_key, read_take_record, take_paths
from fp_timeline.project.document import Project
from fp_timeline.project.takes import Take, takes_of

RESERVED = ".reserved"
_RESERVATION = re.compile(r"^\.(take_\d{3,})\.reserved$")
# ``.take_NNN.partial.mp4``, and a Ray worker's staged ``.take_NNN.remote.mp4`` (``..take_NNN.remote.partial.mp4``)
_PARTIAL = re.compile(r"^\.{1,2}(take_\d{3,})(?:\.remote)?(?:\.partial)?\.mp4$")
_HALF = re.compile(r"^(take_\d{3,})\.(context\.safetensors|json)$")
_TEMP = re.compile(r"^\..+\.(\d+)\.[^.]+\.tmp$")  # write_bytes_atomic's temp names carry the writer's pid


def reserve_take_key(project: Project, clip_name: str) -> str:
    """The next free ``take_NNN`` for ``clip_name``, reserved for this process until released."""
    clip = project.clip(clip_name)
    folder = project.render_dir(clip_name)
    folder.mkdir(parents=True, exist_ok=True)
    while True:
        key = next_free_take_key(project, clip)
        marker = folder / f".{key}{RESERVED}"
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            continue  # another render took it a moment ago: the marker now counts, so the next try moves on
        with os.fdopen(fd, "w") as f:
            f.write(str(os.getpid()))
        # Between our look and our marker another render may have finished that number: look again.
        if _only_marker(folder, key):
            return key
        marker.unlink()


def release_take_key(project: Project, clip_name: str, key: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        (project.render_dir(clip_name) / f".{key}{RESERVED}").unlink()


def _only_marker(folder: Path, key: str) -> bool:
    return [p.name for p in folder.glob(f"*{key}.*")] == [f".{key}{RESERVED}"]


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def clean_leftovers(project: Project) -> list[Path]:
    """Remove what dead processes left half-made; returns the paths removed."""
    removed: list[Path] = []
    renders = project.data_dir / "renders"
    folders = [f for f in renders.iterdir() if f.is_dir()] if renders.is_dir() else []
    for folder in folders:
        removed += _clean_render_folder(folder)
    for folder in (project.folder, project.data_dir, *folders):
        removed += _clean_temp_files(folder)
    return removed


def _clean_render_folder(folder: Path) -> list[Path]:
    live: set[str] = set()
    removed = []
    for marker in folder.glob(f".take_*{RESERVED}"):
        match = _RESERVATION.match(marker.name)
        if match and pid_alive(_read_pid(marker)):
            live.add(match.group(1))
        elif match:
            removed.append(marker)
    names = {p.name for p in folder.iterdir()}
    for entry in folder.iterdir():
        partial, half = _PARTIAL.match(entry.name), _HALF.match(entry.name)
        if partial and partial.group(1) not in live:
            removed.append(entry)
        elif half and half.group(1) not in live and f"{half.group(1)}.mp4" not in names:
            removed.append(entry)  # the take's mp4 never appeared: its context and record are no take
    for path in removed:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return removed


def _clean_temp_files(folder: Path) -> list[Path]:
    removed = []
    for entry in folder.glob(".*.tmp") if folder.is_dir() else []:
        match = _TEMP.match(entry.name)
        if match and not pid_alive(int(match.group(1))):
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
                removed.append(entry)
    return removed


def _read_pid(marker: Path) -> int:
    try:
        return int(marker.read_text().strip() or 0)
    except (OSError, ValueError):
        return 0


def adoptable_take(project: Project, clip_name: str, recipe_hash: str) -> Take | None:
    """A complete take on disk, not in the project, whose record says it was made from ``recipe_hash``."""
    clip = project.clip(clip_name)
    known = {t.key for t in takes_of(clip)}
    folder = project.render_dir(clip_name)
    if not folder.is_dir():
        return None
    for record_path in sorted(folder.glob("take_*.json"), reverse=True):  # the newest first
        key = record_path.name.removesuffix(".json")
        paths = take_paths(project, clip_name, key)
        if key in known or not paths.media.is_file():
            continue
        take = _take_from_record(project, clip_name, key)
        if take is not None and take.recipe_hash == recipe_hash:
            return take
    return None


def _take_from_record(project: Project, clip_name: str, key: str) -> Take | None:
    record = read_take_record(project, clip_name, key)
    try:
        take = Take(**record["take"])
    except (KeyError, TypeError):
        return None  # no record, or not one we wrote: leave it alone
    if record.get("clip") != clip_name or take.key != key:
        return None
    paths = take_paths(project, clip_name, key)
    if project.relative(paths.media) != take.media:
        return None
    if take.context is not None and project.relative(paths.context) != take.context:
        return None
    if take.context is not None and not paths.context.is_file():
        return None
    return take
