"""Engine: generator protocol and registry, render planning, takes and contexts, media I/O.

No Qt and no torch here (layer 2); generators are reached only through ``generator.Generator``.
"""
