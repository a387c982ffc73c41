"""Media locations as each NLE wants them: plain absolute paths or ``file://`` URLs, and back.

Resolve has failed on ``file://`` target URLs in ``.otio`` (OTIO issue #1985), so it gets plain
absolute paths; Premiere writes percent-encoded ``file://`` URLs (``file://localhost/...`` in FCP 7
XML) and reads them back.  ``path_from_url`` accepts every spelling, so an edited timeline re-links
whichever NLE wrote it.
"""

from __future__ import annotations

import urllib.parse
from enum import Enum
from pathlib import Path, PurePosixPath, PureWindowsPath


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


def path_from_url(url: str) -> Path:
    """A local path for a ``target_url`` in any spelling: plain, ``file:///``, ``file://localhost/``."""
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme != "file":
        # Plain paths (including Windows "C:\..." whose drive letter parses as a scheme).
        return Path(url)
    path = urllib.parse.unquote(parsed.path)
    if parsed.netloc and parsed.netloc != "localhost":
        return Path(f"//{parsed.netloc}{path}")  # a UNC share
    if len(path) > 2 and path[0] == "/" and path[2] == ":":
        return Path(path[1:])  # file:///C:/media/x.mp4
    return Path(path)


def tail_of(url: str, parts: int) -> PurePosixPath:
    """The last ``parts`` components of a media location: what survives moving the media folder."""
    pieces = path_from_url(url).as_posix().split("/")
    return PurePosixPath(*pieces[-parts:])
