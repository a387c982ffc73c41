"""One writer per project: an OS file lock in ``<stem>.fp/``, released by the kernel if its process dies.

Every command that changes a project (``new``, ``add``, ``takes --use``, a render's save, the window's
save) holds it while it reads, changes and writes the file, so two writers never lose each other's
edits.  Readers (``info``, ``validate``, export) never take it.  A second writer waits a few seconds
(``FP_TIMELINE_LOCK_WAIT``), then is refused with a message naming the holder: pid, command, since when.

Within one process the lock is re-entrant (a render that saves inside ``extend``'s lock), so a
process never locks itself out.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock, Timeout

from fp_timeline.project.errors import Problem, ProjectError
from fp_timeline.project.text import printable

WAIT_ENV = "FP_TIMELINE_LOCK_WAIT"
DEFAULT_WAIT_S = 5.0
LOCK_NAME = "project.lock"
HOLDER_NAME = "project.lock.json"  # who holds it: kept apart, the lock file is truncated by contenders

_held: dict[Path, tuple[FileLock, int]] = {}
_guard = threading.Lock()


def lock_paths(project_path: Path) -> tuple[Path, Path]:
    """The lock file and its holder record for the project file ``project_path``."""
    project_path = Path(project_path).resolve()
    data_dir = project_path.parent / f"{project_path.stem}.fp"
    return data_dir / LOCK_NAME, data_dir / HOLDER_NAME


def default_wait() -> float:
    try:
        return max(0.0, float(os.environ.get(WAIT_ENV, DEFAULT_WAIT_S)))
    except ValueError:
        return DEFAULT_WAIT_S


def holds_lock(project_path: Path) -> bool:
    """Whether this process holds the project's lock now."""
    lock_file, _ = lock_paths(project_path)
    with _guard:
        return lock_file in _held


@contextlib.contextmanager
def project_lock(project_path: Path, command: str | None = None, wait: float | None = None) -> Iterator[None]:
    """Hold the project's writer lock for the block; raises ``ProjectError`` naming the holder."""
    lock_file, holder = lock_paths(project_path)
    with _guard:
        if lock_file in _held:
            lock, count = _held[lock_file]
            _held[lock_file] = (lock, count + 1)
            reentered = True
        else:
            reentered = False
    if not reentered:
        _acquire(Path(project_path), lock_file, holder, command, default_wait() if wait is None else wait)
    try:
        yield
    finally:
        _release(lock_file, holder)


def _acquire(project_path: Path, lock_file: Path, holder: Path, command: str | None, wait: float) -> None:
    try:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(lock_file, timeout=wait, thread_local=False, fallback_to_soft=False, preserve_lock_file=True)
        lock.acquire()
    except Timeout:
        raise ProjectError(
            Problem(f"another fp-timeline is changing this project ({describe_holder(holder)})", file=project_path)
        ) from None
    except OSError as err:
        raise ProjectError(
            Problem(f"cannot lock the project for writing: {err.strerror or err}", file=lock_file)
        ) from None
    with _guard:
        _held[lock_file] = (lock, 1)
    record = {
        "pid": os.getpid(),
        "command": command or " ".join([Path(sys.argv[0]).name, *sys.argv[1:2]]),
        "since": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    with contextlib.suppress(OSError):  # the record is a courtesy; the lock itself is what counts
        holder.write_text(json.dumps(record), encoding="utf-8")


def _release(lock_file: Path, holder: Path) -> None:
    with _guard:
        lock, count = _held[lock_file]
        if count > 1:
            _held[lock_file] = (lock, count - 1)
            return
        del _held[lock_file]
    with contextlib.suppress(OSError):
        holder.unlink()
    lock.release()


def describe_holder(holder: Path) -> str:
    """'pid 123, fp-timeline render, since 2026-...' from the holder record, as far as it can be read."""
    try:
        record = json.loads(holder.read_text(encoding="utf-8"))
        return printable(f"pid {record['pid']}, `{record['command']}`, since {record['since']}")
    except (OSError, ValueError, KeyError, TypeError):
        return "holder unknown"
