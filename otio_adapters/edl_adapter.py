"""OTIO adapter ``fp_edl``: CMX 3600 EDL through the maintained ``cmx_3600`` adapter, minus its traps.

What it adds around ``otio_cmx3600_adapter.cmx_3600``:
- write: works on a copy (the writer shortens and lengthens clips around dissolves and the
  ``premiere`` style renames clips, all in the timeline passed in); gives every clip a unique
  reel name of at most 8 characters from its clip name (``shot_010`` -> ``SHOT010``; from file
  names every take would be ``take001m``) unless ``metadata["cmx_3600"]["reel"]`` is set;
  record timecodes start at the timeline's ``global_start_time`` (the writer starts at 00:00:00:00);
  an ``FCM`` line says drop or non-drop frame.
- read: the clip after a dissolve gets its own media (the reader gives it the previous clip's
  ``FROM CLIP`` path; its own is in the ``TO CLIP`` comment); a dissolve from black at the very
  start (which the reader refuses) reads as a leading transition; the first record timecode
  becomes ``global_start_time``; the rate 23.976 is read as 24000/1001.

No suffix is claimed (``.edl`` stays with ``cmx_3600``): ask for it with ``adapter_name="fp_edl"``.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import opentimelineio as otio
from otio_cmx3600_adapter import cmx_3600

from fp_timeline_otio.rates import exact_rate, is_drop_frame_rate

RationalTime = otio.opentime.RationalTime
REEL_LENGTH = 8
_EVENT = re.compile(r"^(?P<head>\d{3}\s.*?)(?P<rec_in>\d\d:\d\d:\d\d[:;]\d\d) (?P<rec_out>\d\d:\d\d:\d\d[:;]\d\d)\s*$")
_TO_MEDIA = re.compile(r"^\*?\s*TO (?:CLIP|FILE):\s*(?P<url>.+?)\s*$")


def write_to_string(
    input_otio: otio.schema.Timeline, rate: float | None = None, style: str = "avid", reelname_len: int = REEL_LENGTH
) -> str:
    """The EDL text of ``input_otio``'s single video track; ``input_otio`` is left as it was."""
    timeline = copy.deepcopy(input_otio)
    rate = exact_rate(rate or _timeline_rate(timeline))
    if style != "premiere":  # premiere style writes reel AX for every event by design
        assign_reels(timeline, reelname_len)
    text = cmx_3600.write_to_string(timeline, rate=rate, style=style, reelname_len=reelname_len)
    start = timeline.global_start_time
    offset = round(start.rescaled_to(rate).value) if start is not None else 0
    return _with_fcm(_shift_record(text, offset, rate), rate)


def read_from_string(input_str: str, rate: float = 24, ignore_timecode_mismatch: bool = False) -> Any:
    """Read with ``cmx_3600``, then repair dissolve media and the start timecode."""
    rate = exact_rate(rate)
    text = _with_lead_in(input_str)
    timeline = cmx_3600.read_from_string(text, rate=rate, ignore_timecode_mismatch=ignore_timecode_mismatch)
    for track in timeline.tracks:
        if text is not input_str:
            _drop_lead_in(track)
        _repair_dissolve_media(track)
    _start_from_record(timeline)
    return timeline


def assign_reels(timeline: otio.schema.Timeline, length: int = REEL_LENGTH) -> None:
    """Give each clip without one a unique reel name (in place: call it on a copy)."""
    taken = {
        str(clip.metadata["cmx_3600"]["reel"])
        for clip in timeline.find_clips()
        if clip.metadata.get("cmx_3600", {}).get("reel")
    }
    for clip in timeline.find_clips():
        if clip.metadata.get("cmx_3600", {}).get("reel"):
            continue
        reel = reel_name(clip.name, taken, length)
        taken.add(reel)
        clip.metadata["cmx_3600"] = {**dict(clip.metadata.get("cmx_3600", {})), "reel": reel}


def reel_name(name: str, taken: set[str], length: int = REEL_LENGTH) -> str:
    """Upper-case letters and digits of ``name``, at most ``length``, numbered when taken."""
    base = re.sub(r"[^A-Z0-9]", "", name.upper()) or "CLIP"
    candidate = base[:length]
    number = 1
    while candidate in taken:
        suffix = str(number)
        candidate = base[: length - len(suffix)] + suffix
        number += 1
    return candidate


def _timeline_rate(timeline: otio.schema.Timeline) -> float:
    if timeline.global_start_time is not None:
        return timeline.global_start_time.rate
    return timeline.tracks[0].duration().rate


def _shift_record(text: str, frames: int, rate: float) -> str:
    if frames == 0:
        return text
    lines = []
    for line in text.split("\n"):
        match = _EVENT.match(line)
        if match:
            rec_in = _shifted(match.group("rec_in"), frames, rate)
            rec_out = _shifted(match.group("rec_out"), frames, rate)
            line = f"{match.group('head')}{rec_in} {rec_out}"
        lines.append(line)
    return "\n".join(lines)


def _shifted(timecode: str, frames: int, rate: float) -> str:
    time = otio.opentime.from_timecode(timecode, rate) + RationalTime(frames, rate)
    return otio.opentime.to_timecode(time, rate)


def _with_fcm(text: str, rate: float) -> str:
    fcm = f"FCM: {'DROP FRAME' if is_drop_frame_rate(rate) else 'NON-DROP FRAME'}"
    head, sep, rest = text.partition("\n\n")
    return f"{head}\n{fcm}{sep}{rest}" if head.startswith("TITLE:") else f"{fcm}\n{text}"


def _with_lead_in(text: str) -> str:
    """Put a zero-length black event before an opening dissolve from black, so the reader takes it.

    ``001 BL ... C`` + ``001 SHOT010 ... D 008`` is a fade in from black, but ``cmx_3600`` refuses
    a transition at the start of a track; a ``000 BL`` event gives it something to start from.
    """
    lines = text.split("\n")
    events = [i for i, line in enumerate(lines) if line[:3].isdigit()]
    if len(events) < 2:
        return text
    first, second = lines[events[0]].split(), lines[events[1]].split()
    from_black = first[1] in ("BL", "BLACK") and first[0] == second[0]
    if not from_black or not (second[3] == "D" or second[3].startswith("W")):
        return text
    return "\n".join([*lines[: events[0]], "000" + lines[events[0]][3:], *lines[events[0] :]])


def _drop_lead_in(track: otio.schema.Track) -> None:
    if len(track) > 1 and isinstance(track[0], otio.schema.Clip) and track[0].duration().value == 0:
        del track[0]


def _repair_dissolve_media(track: otio.schema.Track) -> None:
    items = list(track)
    for index, item in enumerate(items[1:], start=1):
        if not isinstance(item, otio.schema.Clip) or not isinstance(items[index - 1], otio.schema.Transition):
            continue
        comments = item.metadata.get("cmx_3600", {}).get("comments", [])
        urls = [m.group("url") for m in (_TO_MEDIA.match(str(c)) for c in comments) if m]
        if not urls:
            continue
        if isinstance(item.media_reference, otio.schema.ExternalReference):
            item.media_reference.target_url = urls[-1]
        else:  # after a dissolve from black there was no FROM CLIP to misread
            item.media_reference = otio.schema.ExternalReference(target_url=urls[-1])


def _start_from_record(timeline: otio.schema.Timeline) -> None:
    """The reader keeps the first record timecode as a negative track offset; make it the start time."""
    starts = [t.source_range.start_time for t in timeline.tracks if t.source_range is not None]
    if not starts or any(s.value > 0 for s in starts):
        return
    first = min(starts, key=lambda s: s.value)  # the most negative offset: the earliest record timecode
    timeline.global_start_time = RationalTime(-first.value, first.rate)
    for track in timeline.tracks:
        if track.source_range is None:
            continue
        offset = track.source_range.start_time + timeline.global_start_time
        duration = track.source_range.duration
        track.source_range = None if offset.value == 0 else otio.opentime.TimeRange(offset, duration)
