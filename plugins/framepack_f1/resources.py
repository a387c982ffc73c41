"""What this machine has free (host RAM, VRAM, CPUs), and process-wide settings that keep memory and
threads in check on the CPU."""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

import torch

from .memory_plan import Resources

M_MMAP_THRESHOLD = -3  # glibc mallopt parameter
LARGE_ALLOCATION = 256 * 1024


def meminfo() -> dict[str, int]:
    """/proc/meminfo in bytes (empty off Linux)."""
    info: dict[str, int] = {}
    path = Path("/proc/meminfo")
    if path.is_file():
        for line in path.read_text().splitlines():
            key, _, value = line.partition(":")
            parts = value.split()
            if parts and parts[0].isdigit():
                info[key] = int(parts[0]) * (1024 if parts[1:] == ["kB"] else 1)
    return info


def host_ram() -> tuple[int, int]:
    """(available, total) host RAM in bytes: MemAvailable counts page cache the kernel can drop."""
    info = meminfo()
    if "MemAvailable" in info:
        return info["MemAvailable"], info["MemTotal"]
    try:
        import psutil
    except ImportError:  # unknown: assume a small machine
        return 8 * 1024**3, 8 * 1024**3
    memory = psutil.virtual_memory()
    return memory.available, memory.total


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def probe(device: torch.device) -> Resources:
    """The free resources for a render on ``device``."""
    free_ram, total_ram = host_ram()
    free_vram = total_vram = 0
    if device.type == "cuda" and torch.cuda.is_available():
        free_vram, total_vram = torch.cuda.mem_get_info(device)
    return Resources(device.type, free_ram, total_ram, free_vram, total_vram, cpu_count())


MAX_DEFAULT_THREADS = 16  # past this a section's matrices gain little from more threads


def default_threads() -> int:
    """CPU threads for a render when none are asked for: the cores this process may use less one (for the
    app, decoding and the OS), at most ``MAX_DEFAULT_THREADS``, at least 1.

    It depends on the machine only, never on its load: the thread count changes how float sums are split,
    so a default that followed the load average would give the same recipe and seed different bits from
    one run to the next.  On a busy machine ask for fewer (``threads``): OpenMP threads spin-wait for each
    other, so more threads than free cores costs far more than it brings (2 threads on a busy 2-core
    machine ran 18x slower than 1).
    """
    return max(1, min(cpu_count() - 1, MAX_DEFAULT_THREADS))


def resolve_threads(options: dict) -> int:
    value = options.get("threads")
    if value in (None, "", "auto"):
        return default_threads()
    try:
        threads = int(value)
    except (TypeError, ValueError):
        threads = 0
    if threads < 1:
        raise ValueError(f"threads must be a positive integer or 'auto', got {value!r}")
    return threads


def return_large_frees_to_os() -> bool:
    """Serve allocations of 256 KiB and more with mmap, so a freed block's weights leave RSS at once.

    glibc otherwise raises its mmap threshold after the first large free and recycles heap memory, so
    the per-block copies (dtype conversion, blocks read back from disk) pile up as anonymous RSS.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    return bool(libc.mallopt(M_MMAP_THRESHOLD, LARGE_ALLOCATION))
