"""Why there is no FCPXML export: what the maintained ``fcpx_xml`` adapter (1.x, OTIO 0.18) does to our cuts.

Resolve imports ``.otio`` and FCP 7 XML, and Premiere does not import FCPXML at all, so no target
needs it; working around all of the below would mean a new writer *and* reader.  These tests pin
the reasons: when one fails, the adapter has improved and the decision can be revisited.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import opentimelineio as otio
import pytest

from fp_timeline_otio.flatten import flatten_for_export
from fp_timeline_otio.formats import FORMATS
from tests.test_adapters_support import sample_copy


def _write(tmp_path, rate):
    timeline = flatten_for_export(sample_copy("three_shots", tmp_path, rate=rate), start_timecode="01:00:00:00")
    return timeline, otio.adapters.write_to_string(timeline, adapter_name="fcpx_xml")


def _root(text: str) -> ET.Element:
    return ET.fromstring(text.split("\n", 2)[-1])  # past the XML declaration and DOCTYPE


def test_fcpxml_loses_transitions_and_the_start_time(tmp_path):
    timeline, text = _write(tmp_path, 30.0)
    back = otio.adapters.read_from_string(text, adapter_name="fcpx_xml")

    assert list(timeline.find_children(descended_from_type=otio.schema.Transition))
    assert not list(_root(text).iter("transition")), "transitions dropped"
    assert not list(back.find_children(descended_from_type=otio.schema.Transition))
    assert timeline.global_start_time.value == 108000
    assert back.global_start_time is None or back.global_start_time.value == 0, "start timecode lost"
    assert _root(text).find("./library/event") is None, "no <library><event> wrapper (OTIO #742)"


def test_fcpxml_at_23_976_cannot_even_be_read_back(tmp_path):
    _, text = _write(tmp_path, 23.976)
    assert _root(text).find("./resources/format").get("frameDuration") == "", "empty frameDuration"
    with pytest.raises(ValueError):
        otio.adapters.read_from_string(text, adapter_name="fcpx_xml")


def test_fcpxml_is_not_an_export_format():
    assert not any(f.adapter == "fcpx_xml" for f in FORMATS.values())
