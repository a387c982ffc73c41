"""Which of x264's SIMD code paths our H.264 writer lets it use: all it detects, except AVX-512.

x264's AVX-512 macroblock-tree code (``mbtree_propagate_list_internal_avx512``) handles 8 macroblocks
per step with no tail mask: when the width is not a multiple of 128 px (8 macroblocks; most FramePack
buckets, and the tiny preset's 32 px) it reads up to 7 entries past the end of each row, which x264
never wrote, and adds them into the costs of real macroblocks.  So on an AVX-512 CPU the same frames
gave different bytes depending on what the heap held.  Its AVX2 path has no such overread; without
AVX-512 an AVX-512 machine also encodes like an AVX2 one, which keeps a mixed Ray cluster consistent.

x264 is asked through the copy PyAV loaded (``x264_cpu_detect``), found by name in this process's
memory map; where it cannot be found (not Linux, a static build) x264 chooses as before.
"""

from __future__ import annotations

import ctypes
import functools
from pathlib import Path

X264_CPU_AVX512 = 1 << 16  # x264.h: AVX-512 {F, CD, BW, DQ, VL}


def loaded_library(stem: str, maps: Path = Path("/proc/self/maps")) -> str | None:
    """The path of a shared library this process has mapped whose file name starts with ``stem``."""
    try:
        lines = maps.read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split(maxsplit=5)  # address perms offset dev inode path
        if len(fields) == 6 and Path(fields[5]).name.startswith((f"{stem}.", f"{stem}-")):
            return fields[5]  # "-": a wheel's vendored copy, libx264-<hash>.so.165
    return None


@functools.cache
def x264_cpu_flags() -> int | None:
    """x264's own CPU detection, from the libx264 PyAV uses; None where it cannot be asked."""
    import av  # noqa: F401  (loads libavcodec, and with it libx264)

    path = loaded_library("libx264")
    if path is None:
        return None
    try:
        detect = ctypes.CDLL(path).x264_cpu_detect
    except (OSError, AttributeError):
        return None
    detect.restype, detect.argtypes = ctypes.c_uint32, []
    return int(detect())


def x264_params() -> str | None:
    """``x264-params`` for the writer: the detected CPU flags less AVX-512, or None when nothing to drop."""
    flags = x264_cpu_flags()
    if flags is None or not flags & X264_CPU_AVX512:
        return None
    return f"asm={flags & ~X264_CPU_AVX512}"
