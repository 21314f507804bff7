"""Account names that cannot be mistaken for one another (Unicode TS #39, UTS #39).

Three forms of a name:

- the **name** as stored and shown: NFKC of what was typed (``ａｄｍｉｎ`` → ``admin``; case kept);
- the **key**: NFKC + case folding (``Admin`` → ``admin``), what a login is matched by;
- the **skeleton**: TS #39's skeleton without case: every character that looks like
  another mapped to one of its class (Cyrillic ``а`` → ``a``, ``1`` → ``l``, ``m`` → ``rn``),
  as shown and again with case folded, until nothing changes.

No two accounts share a key or a skeleton (unique indexes): ``аdmin``, ``ａｄｍｉｎ``,
``Admin``, ``adrnin`` and ``ADM1N`` all collide with ``admin``, ``AIice`` (capital i) with
``alice``. Since case is ignored and ``I`` looks like ``l``, ``i`` and ``l`` meet too:
``allce`` is refused beside ``alice`` — a name too close to pass for another.

A new name must also keep to one script — TS #39's "highly restrictive" level: a single
script, or Latin with Han (and Hiragana + Katakana, Bopomofo or Hangul), as Chinese names
written half in pinyin are (``张san``). Common characters (digits, ``_ . -``) and inherited
ones (combining marks) go with any script. So ``аdmin`` (Latin with one Cyrillic letter) is
refused for its scripts even before its skeleton is compared.

The data — confusable pairs (confusables.txt) and scripts (Scripts.txt) — comes from
the ``confusable-homoglyphs`` package, pinned so skeletons stay stable across installs.
"""

from __future__ import annotations

import string
import unicodedata
from collections import defaultdict
from functools import cache

from confusable_homoglyphs import categories, confusables

from models.errors import TousuError

#: Scripts that go with any other (digits, punctuation; combining marks).
NEUTRAL_SCRIPTS = frozenset({"COMMON", "INHERITED"})
#: TS #39 "highly restrictive": besides a single script, these sets may be mixed.
MIXABLE_SCRIPTS = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)
SCRIPT_NAMES = {
    "LATIN": "拉丁字母",
    "HAN": "汉字",
    "CYRILLIC": "西里尔字母",
    "GREEK": "希腊字母",
    "HIRAGANA": "平假名",
    "KATAKANA": "片假名",
    "BOPOMOFO": "注音符号",
    "HANGUL": "韩文",
    "ARMENIAN": "亚美尼亚字母",
    "ARABIC": "阿拉伯字母",
    "HEBREW": "希伯来字母",
}
# Default_Ignorable_Code_Point (DerivedCoreProperties.txt): invisible, dropped by TS #39.
_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)


def display_form(name: str) -> str:
    """The name as stored and shown: NFKC (width and compatibility forms folded)."""
    return unicodedata.normalize("NFKC", name)


def key(name: str) -> str:
    """What logins and look-ups compare: NFKC + case folding (Unicode's NFKC_Casefold,
    less its removal of ignorables, which new names may not contain at all)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def ignorable(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _IGNORABLE)


@cache
def _prototypes() -> dict[str, str]:
    """What each character is compared as: one member of its class of look-alikes, or
    for a character that looks like a sequence, that sequence (``m`` → ``rn``).

    The package keeps each source → prototype line of confusables.txt as a link both
    ways (with left-to-right marks around right-to-left characters, dropped here). The
    classes are those links, plus each capital Latin letter with its small letter:
    login names ignore case, so ``adm1n``, which looks like ``ADMIN``, must meet
    ``admin`` (``1`` looks like ``I``). Other scripts' case pairs are not joined: their two
    cases can look like different Latin letters (Cyrillic ``у`` and ``У``), which would
    chain unrelated letters together; their names are compared by their key instead.
    """
    parent: dict[str, str] = {}

    def find(char: str) -> str:
        while parent.setdefault(char, char) != char:
            parent[char] = parent[parent[char]]
            char = parent[char]
        return char

    sequences: dict[str, str] = {}
    for source, entries in confusables.confusables_data.items():
        source = source.replace("\u200e", "")
        for entry in entries:
            other = entry["c"].replace("\u200e", "")
            if len(source) == 1 and len(other) == 1:
                parent[find(source)] = find(other)
            elif len(source) == 1:
                sequences[source] = other
    for capital in string.ascii_uppercase:
        parent[find(capital)] = find(capital.lower())
    classes: dict[str, list[str]] = defaultdict(list)
    for char in list(parent):
        classes[find(char)].append(char)
    prototype = {}
    for members in classes.values():
        chosen = min(members, key=lambda c: (key(c) != c, ord(c)))  # small, if any
        prototype.update(dict.fromkeys(members, chosen))
    for char, sequence in sequences.items():
        prototype[char] = "".join(prototype.get(c, c) for c in sequence)
    return prototype


def skeleton(name: str) -> str:
    """TS #39 skeleton of ``name``, without case: equal for names that look alike.

    Confusables are mapped first as the name is shown (Cyrillic ``В`` → ``B``), then case
    is folded and the mapping repeated until nothing changes (at most three rounds).
    """
    prototypes = _prototypes()
    current = display_form(name)
    for _ in range(8):  # at most three changes settle any character of the data
        decomposed = unicodedata.normalize("NFD", current)
        mapped = "".join(prototypes.get(c, c) for c in decomposed if not ignorable(c))
        folded = unicodedata.normalize("NFD", key(mapped))
        if folded == current:
            break
        current = folded
    return current


def scripts(name: str) -> set[str]:
    """The scripts ``name`` is written in, Common and Inherited left out."""
    return {categories.alias(c) for c in name} - NEUTRAL_SCRIPTS


def check_scripts(name: str) -> None:
    """Refuse a name that mixes scripts beyond TS #39's highly restrictive level."""
    used = scripts(name)
    if len(used) <= 1 or any(used <= allowed for allowed in MIXABLE_SCRIPTS):
        return
    shown = "、".join(SCRIPT_NAMES.get(s, s.title()) for s in sorted(used))
    raise TousuError(
        f"用户名“{name}”混用了{shown}，容易被看成别的名字：请只用一种文字"
        "（汉字可以和拉丁字母同用，如“张san”）"
    )
