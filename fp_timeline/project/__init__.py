"""Project model: clip recipes stored in OTIO metadata, validation, hashing, atomic load/save.

Imports only opentimelineio and the standard library (layer 1).
"""
