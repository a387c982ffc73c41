"""How a project stores paths: relative to the project file's folder, POSIX separators."""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath


def resolve_stored(folder: Path, stored: str) -> Path:
    """An absolute path for a path stored by a project in ``folder`` (relative ones are folder-relative)."""
    path = Path(stored)
    return path if path.is_absolute() else (Path(folder) / PurePosixPath(stored)).resolve()


TAKE_FILE = re.compile(r"^take_\d{3,}\.(mp4|context\.safetensors)$")


def readable_take_file(project_folder: Path, path: Path) -> bool:
    """Whether a take may be read from ``path``: inside the project's folder, or a take file in some
    ``<stem>.fp/renders/<clip>/`` (a project saved elsewhere keeps using the original's renders).

    Resolved first, so neither ``..`` nor a symlink leads anywhere else (``/etc/passwd`` is no take).
    """
    real = Path(path).resolve()
    if real.is_relative_to(Path(project_folder).resolve()):
        return True
    parts = real.parts
    return bool(TAKE_FILE.match(real.name)) and len(parts) >= 4 and parts[-3] == "renders" and parts[-4].endswith(".fp")


def stored_path(folder: Path, path: Path) -> str:
    """How a project in ``folder`` stores ``path``: relative to ``folder`` when possible, POSIX separators."""
    path = Path(path).resolve()
    try:
        return Path(os.path.relpath(path, Path(folder).resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()
