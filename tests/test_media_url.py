"""One URL → path rule for hashing, conform, imported-video contexts and the NLE adapters."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import opentimelineio as otio
import pytest

from fp_timeline.project.document import Project
from fp_timeline.project.hashing import media_identity
from fp_timeline.project.media_url import media_file, path_from_url
from fp_timeline_otio.media_urls import UrlStyle, url_for


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("file://localhost/media/a%20b.mp4", "/media/a b.mp4"),  # FCP 7 XML pathurl
        ("file:///media/a%20b.mp4", "/media/a b.mp4"),  # Premiere .otio
        ("file:///C:/media/x.mp4", "C:/media/x.mp4"),  # a Windows drive in a URL
        ("file://server/share/x.mp4", "//server/share/x.mp4"),  # a UNC share
        ("file:///%E2%82%AC.mp4", "/€.mp4"),  # percent-encoded non-ASCII
        ("/media/100%25.mp4", "/media/100%25.mp4"),  # a plain path: '%' is a character, not an escape
        ("renders/shot_010/take_001.mp4", "renders/shot_010/take_001.mp4"),  # project-relative
        ("C:\\media\\x.mp4", "C:\\media\\x.mp4"),  # a bare Windows path keeps its drive
    ],
)
def test_every_spelling_names_one_file(url, expected):
    assert path_from_url(url) == Path(expected)


@pytest.mark.parametrize("style", list(UrlStyle))
def test_every_export_spelling_reads_back(tmp_path, style):
    path = tmp_path / "a folder" / "take €.mp4"
    assert path_from_url(url_for(path, style)) == path


def test_media_file_resolves_plain_paths_against_the_project_folder(tmp_path):
    assert media_file(tmp_path, "clips/a.mp4") == (tmp_path / "clips" / "a.mp4").resolve()
    assert media_file(tmp_path, (tmp_path / "b.mp4").as_uri()) == tmp_path / "b.mp4"


def _imported_clip(url: str) -> otio.schema.Clip:
    rate = 30
    return otio.schema.Clip(
        name="imported",
        media_reference=otio.schema.ExternalReference(target_url=url),
        source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(30, rate)),
    )


def test_an_imported_clip_hashes_by_content_whatever_its_url_spelling(tmp_path):
    """Hashing used to strip only "file://": a localhost or escaped URL counted as a missing file."""
    media = tmp_path / "my clips" / "walk.mp4"
    media.parent.mkdir()
    media.write_bytes(b"not really a video, but content to hash")
    project = Project(path=tmp_path / "film.otio", timeline=otio.schema.Timeline())
    spellings = [
        url_for(media, UrlStyle.PATH),
        url_for(media, UrlStyle.FILE_URL),
        url_for(media, UrlStyle.LOCALHOST_URL),
        PurePosixPath("my clips", "walk.mp4").as_posix(),
    ]
    identities = {media_identity(project, _imported_clip(url)) for url in spellings}
    assert len(identities) == 1
    media.write_bytes(b"other content")
    assert media_identity(project, _imported_clip(spellings[2])) not in identities
