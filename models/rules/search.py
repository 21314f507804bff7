"""What a search may ask for, whatever the front (the 典型案例 page, a link, the CLI).

Every word is one more term in the query: SQLite refuses an expression of about a
thousand terms ("Expression tree is too large"), and long before that a search is only
slower. So a search takes the first :data:`MAX_CHARS` characters and, of those, the first
:data:`MAX_WORDS` different words; the page says so, and says when it left words out.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.rules.text import spaced

MAX_WORDS = 10
MAX_CHARS = 100


@dataclass(frozen=True)
class SearchWords:
    """The words a search looks for, and whether some of the text was left out."""

    words: tuple[str, ...]
    cut: bool


def search_words(text: str) -> SearchWords:
    """The different words of ``text`` (control characters count as spaces), at most
    :data:`MAX_WORDS` of them from its first :data:`MAX_CHARS` characters."""
    kept = tuple(dict.fromkeys(spaced(text[:MAX_CHARS]).split()))[:MAX_WORDS]
    return SearchWords(kept, cut=kept != tuple(dict.fromkeys(spaced(text).split())))


LIMIT_NOTE = f"最多 {MAX_WORDS} 个词、{MAX_CHARS} 个字"
