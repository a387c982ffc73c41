"""How a project stores paths: relative to the project file's folder, POSIX separators."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath


def resolve_stored(folder: Path, stored: str) -> Path:
    """An absolute path for a path stored by a project in ``folder`` (relative ones are folder-relative)."""
    path = Path(stored)
    return path if path.is_absolute() else (Path(folder) / PurePosixPath(stored)).resolve()


def stored_path(folder: Path, path: Path) -> str:
    """How a project in ``folder`` stores ``path``: relative to ``folder`` when possible, POSIX separators."""
    path = Path(path).resolve()
    try:
        return Path(os.path.relpath(path, Path(folder).resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()
