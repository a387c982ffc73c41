"""User text as it may be stored and shown: valid Unicode in, printable characters out.

Prompts, clip names and paths come from users and files; a terminal must never interpret them
(escape codes, bidi overrides) and a save must never drop or choke on them (lone surrogates from
non-UTF-8 bytes, NUL).
"""

from __future__ import annotations

from fp_timeline.project.errors import Problem, ProjectError

MAX_NAME_LENGTH = 100
MAX_PROMPT_LENGTH = 10_000


def printable(text: object) -> str:
    """``text`` with every non-printable character (control, bidi, surrogate) written as an escape."""
    return "".join(c if c.isprintable() else _escape(c) for c in str(text))


def _escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def undecodable(text: str) -> bool:
    """True when ``text`` holds lone surrogates: bytes that were not valid UTF-8 (surrogateescape)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_user_text(text: str, field: str, clip: str | None = None, max_length: int = MAX_PROMPT_LENGTH) -> str:
    """``text`` if it can be stored unchanged: valid UTF-8, no NUL, not absurdly long; else a ``ProjectError``."""
    problems = text_problems(text, field, clip, max_length)
    if problems:
        raise ProjectError(problems)
    return text


def text_problems(text: str, field: str, clip: str | None = None, max_length: int = MAX_PROMPT_LENGTH) -> list[Problem]:
    if undecodable(text):
        return [Problem(f"{field} is not valid UTF-8 text: {text!r}", clip=clip, field=field)]
    if "\x00" in text:
        return [Problem(f"{field} contains a NUL character", clip=clip, field=field)]
    if len(text) > max_length:
        return [Problem(f"{field} is {len(text)} characters long; the limit is {max_length}", clip=clip, field=field)]
    return []


def clip_name_problems(name: object) -> list[Problem]:
    """A clip name becomes a folder name under ``renders/``: one plain path component, printable, short."""
    shown = name[:MAX_NAME_LENGTH] if isinstance(name, str) else repr(name)
    if not isinstance(name, str) or not name.strip():
        return [Problem("a clip name must be a non-empty string", clip=shown, field="name")]
    if undecodable(name) or any(not c.isprintable() for c in name):
        return [Problem("a clip name may not contain control or non-UTF-8 characters", clip=shown, field="name")]
    if "/" in name or "\\" in name or name in (".", "..") or name.startswith("."):
        message = "a clip name may not contain / or \\ or start with a dot (it names a folder)"
        return [Problem(message, clip=shown, field="name")]
    if name != name.strip():
        return [Problem("a clip name may not start or end with spaces", clip=shown, field="name")]
    if len(name) > MAX_NAME_LENGTH or len(name.encode("utf-8")) > 200:
        return [Problem(f"a clip name may be at most {MAX_NAME_LENGTH} characters", clip=shown, field="name")]
    return []


def check_clip_name(name: str) -> str:
    problems = clip_name_problems(name)
    if problems:
        raise ProjectError(problems)
    return name
