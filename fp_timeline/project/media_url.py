"""One answer to "which file does this ``target_url`` name?", for every layer.

Media references are spelled three ways: plain paths (relative to the project, or absolute), ``file:///``
URLs and ``file://localhost/`` URLs (FCP 7 XML), percent-encoded.  OTIO's ``url_utils.filepath_from_url``
decodes the URLs (``localhost``, UNC hosts, ``file:///C:/``); a plain path is taken literally, since it is not
a URL: a ``%`` in it is a character, and a bare Windows path keeps its drive (``filepath_from_url`` drops it).
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

from opentimelineio import url_utils

from fp_timeline.project.paths import resolve_stored


def path_from_url(url: str) -> Path:
    """A local path for a ``target_url`` in any spelling: plain, ``file:///``, ``file://localhost/``, UNC."""
    if urllib.parse.urlparse(url).scheme != "file":
        return Path(url)  # a plain path, including Windows "C:\\..." whose drive letter parses as a scheme
    return Path(url_utils.filepath_from_url(url))


def media_file(folder: Path, url: str) -> Path:
    """The absolute file a project in ``folder`` means by ``url`` (plain relative paths are folder-relative)."""
    return resolve_stored(folder, path_from_url(url).as_posix())
