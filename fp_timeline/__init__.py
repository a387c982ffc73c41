"""fp-timeline: a video editor whose timeline is an OTIO project and whose clips are generated."""

__version__ = "0.1.0"
