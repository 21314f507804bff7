"""Text anyone may type: what no field may hold, whatever the front (import, page, CLI)."""

from __future__ import annotations

import re
import unicodedata

from models.errors import TousuError

# Control characters (C0 but tab, line feed and carriage return; DEL; C1) and the
# invisible direction overrides that make a name display as something else. NUL is among
# them: PostgreSQL cannot store it, SQLite would, so refusing it keeps both alike. So
# are lone surrogates (from a forged message), which no UTF-8 encoder accepts.
_BAD_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_LINE_CHARS = re.compile("[\t\n\r]")


def text_problem(text: str, limit: int, *, multiline: bool = False) -> str | None:
    """Why ``text`` cannot be stored in a column of ``limit`` characters, or None.

    Control characters are refused everywhere; tab and line breaks only in one-line
    fields (names, titles, numbers) — long text (content, demand, reply) keeps them.
    """
    bad = _BAD_CHARS.search(text)
    if bad is None and not multiline:
        bad = _LINE_CHARS.search(text)
    if bad is not None:
        return f"含有不允许的控制字符 U+{ord(bad.group()):04X}（第{bad.start() + 1}个字符）"
    if len(text) > limit:
        return f"超过 {limit:,} 个字符（共 {len(text):,} 个）"
    return None


def spaced(text: str) -> str:
    """``text`` with every character no field may hold made a space: what a search or a
    link may carry, cleaned instead of refused (NUL would break PostgreSQL)."""
    return _BAD_CHARS.sub(" ", text)


def clean_multiline(text: str) -> str:
    """Line breaks as ``\\n`` (Windows and old Mac line ends converted)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


#: Long free text typed on a page (a reply, a reason): as much as one imported cell.
LONG_TEXT = 32_767


def checked(text: str, what: str, limit: int, *, multiline: bool = False) -> str:
    """``text`` stripped and with line ends as ``\\n``; TousuError naming ``what`` if a
    control character or its length makes it unstorable (NUL breaks PostgreSQL)."""
    text = clean_multiline(text.strip()) if multiline else text.strip()
    problem = text_problem(text, limit, multiline=multiline)
    if problem:
        raise TousuError(f"{what}{problem}")
    return text


def printable(text: str) -> str:
    """``text`` safe to print on a terminal as one line: control and format characters
    (escape sequences, zero-width and right-to-left marks), line and paragraph separators
    and backslashes shown as Python escapes (``\\x1b``, ``\\u200b``, ``\\\\``)."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if ch == "\\" or unicodedata.category(ch)[0] == "C" or unicodedata.category(ch) in _BREAKS
        else ch
        for ch in text
    )


_BREAKS = ("Zl", "Zp")
