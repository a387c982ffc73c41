"""Media locations as each NLE wants them: plain absolute paths or ``file://`` URLs, and back.

Resolve has failed on ``file://`` target URLs in ``.otio`` (OTIO issue #1985), so it gets plain
absolute paths; Premiere writes percent-encoded ``file://`` URLs (``file://localhost/...`` in FCP 7
XML) and reads them back.  ``path_from_url`` (``fp_timeline.project.media_url``) accepts every spelling,
so an edited timeline re-links whichever NLE wrote it.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path, PureWindowsPath

from fp_timeline.project.media_url import path_from_url

__all__ = ["UrlStyle", "path_from_url", "url_for"]


class UrlStyle(str, Enum):
    """How a media reference's ``target_url`` is spelled in an export."""

    PATH = "path"  # /abs/path/take_001.mp4 (Resolve, EDL comments)
    FILE_URL = "file_url"  # file:///abs/path/take_001.mp4, percent-encoded (Premiere .otio)
    LOCALHOST_URL = "localhost_url"  # file://localhost/abs/path/take_001.mp4 (FCP 7 XML pathurl)


def url_for(path: Path, style: UrlStyle) -> str:
    """Spell an absolute path in ``style``."""
    path = Path(path).absolute()
    if style is UrlStyle.PATH:
        return path.as_posix() if not isinstance(path, PureWindowsPath) else str(path)
    uri = path.as_uri()  # percent-encodes spaces and non-ASCII, as Premiere does
    if style is UrlStyle.LOCALHOST_URL:
        return "file://localhost" + uri[len("file://") :]
    return uri
