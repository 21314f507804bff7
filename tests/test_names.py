"""Account names that look alike are refused (models/access/names.py, Unicode TS #39).

Look-alikes of existing names are generated — case changed, full-width forms, Cyrillic and
Greek letters that look Latin, alone or together — and every one must be refused, whether
it mixes scripts or is written wholly in another script that only its skeleton catches.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from models.access import names, users
from models.access.roles import CLI
from models.errors import TousuError
from models.ops import doctor
from models.settings import Settings
from models.store import schema
from models.store.db import get_engine, session_scope
from models.store.tables import User

PASSWORD = "correct-horse-battery"
EXISTING = ["admin", "alice", "boss", "operator", "zhangsan", "张san", "support01"]
# Characters that Unicode's confusables.txt says look like another, by what they look like.
HOMOGLYPHS = {
    **{"a": "аα", "c": "с", "e": "е", "h": "һ", "i": "іι", "j": "ј", "n": "ո", "o": "оο0"},
    **{"p": "рρ", "s": "ѕ", "u": "υս", "v": "ν", "x": "х", "y": "уγ", "l": "1I|"},
    **{"A": "АΑ", "B": "ВΒ", "C": "С", "E": "ЕΕ", "H": "НΗ", "I": "ІΙ1l", "J": "Ј"},
    **{"K": "КΚ", "M": "МΜ", "N": "Ν", "O": "ОΟ0", "P": "РΡ", "S": "Ѕ", "T": "ТΤ"},
    **{"X": "ХΧ", "Y": "ΥҮ", "Z": "Ζ", "0": "ОΟO", "1": "lI"},
}


def _fullwidth(char: str) -> str:
    return chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char


def _twins(char: str) -> list[str]:
    """Characters that look like ``char`` as shown: its full-width form, other scripts'."""
    return [c for c in dict.fromkeys([_fullwidth(char), *HOMOGLYPHS.get(char, "")]) if c != char]


@st.composite
def look_alike(draw, name: str) -> str:
    """``name`` in any case (the same key), then with characters swapped for ones that
    look like them; not ``name`` itself."""
    shown = "".join(
        draw(st.sampled_from(list(dict.fromkeys([c, c.upper(), c.lower()])))) for c in name
    )
    alike = "".join(draw(st.sampled_from([c, *_twins(c)])) for c in shown)
    assume(alike != name)
    return alike


def wholly_cyrillic(name: str) -> str | None:
    """``name`` with every letter Cyrillic, if every letter has a Cyrillic twin."""
    cyrillic = {k: v[0] for k, v in HOMOGLYPHS.items() if "\u0400" <= v[0] <= "\u04ff"}
    if not all(c in cyrillic for c in name):
        return None
    return "".join(cyrillic[c] for c in name)


@pytest.fixture
def existing(engine):
    with session_scope(engine) as session:
        for name in EXISTING:
            users.add_user(session, CLI, name, "viewer", PASSWORD)
    return engine


def count(engine) -> int:
    with session_scope(engine) as session:
        return session.execute(select(func.count()).select_from(User)).scalar_one()


def test_the_issue_examples_are_refused_beside_admin(existing):
    for alike in ["аdmin", "ａｄｍｉｎ", "Admin", "ADMIN", "adrnin"]:
        with session_scope(existing) as session, pytest.raises(TousuError, match=r"admin|混用"):
            users.add_user(session, CLI, alike, "admin", PASSWORD)
    assert count(existing) == len(EXISTING)


def test_generated_look_alikes_of_existing_names_are_all_refused(existing):
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data(), name=st.sampled_from(EXISTING))
    def refused(data, name):
        alike = data.draw(look_alike(name))
        with session_scope(existing) as session, pytest.raises(TousuError):
            users.add_user(session, CLI, alike, "viewer", PASSWORD)

    refused()
    assert count(existing) == len(EXISTING)


def test_a_name_wholly_in_another_script_is_caught_by_its_skeleton(engine):
    with session_scope(engine) as session:
        users.add_user(session, CLI, "ace", "viewer", PASSWORD)
    twin = wholly_cyrillic("ace")
    assert twin == "асе" and names.scripts(twin) == {"CYRILLIC"}  # not mixed: one script
    with session_scope(engine) as session, pytest.raises(TousuError, match="“ace”看起来相同"):
        users.add_user(session, CLI, twin, "viewer", PASSWORD)


@pytest.mark.parametrize("name", ["pаypal", "Ηello", "admin張α"])
def test_mixed_scripts_are_refused_with_a_chinese_message(engine, name):
    with (
        session_scope(engine) as session,
        pytest.raises(TousuError, match=r"混用了.*请只用一种文字"),
    ):
        users.add_user(session, CLI, name, "viewer", PASSWORD)


@pytest.mark.parametrize(
    "name", ["张san", "王小明", "ivan", "иван", "αλφα", "たなかTanaka", "김민준"]
)
def test_one_script_or_han_with_latin_is_fine(engine, name):
    with session_scope(engine) as session:
        assert users.add_user(session, CLI, name, "viewer", PASSWORD) == name


@pytest.mark.parametrize("name", ["CLI", "сli", "c1i", "ｃｌｉ"])
def test_names_that_look_like_the_command_line_are_reserved(engine, name):
    with session_scope(engine) as session, pytest.raises(TousuError, match=r"保留|混用"):
        users.add_user(session, CLI, name, "viewer", PASSWORD)


def test_invisible_characters_are_refused(engine):
    for name in ["ad\u034fmin", "ad\u3164min", "admin\ufe0f"]:
        with session_scope(engine) as session, pytest.raises(TousuError, match="不可见"):
            users.add_user(session, CLI, name, "viewer", PASSWORD)


def test_a_full_width_name_is_stored_half_width_and_logs_in_by_its_key(engine):
    with session_scope(engine) as session:
        assert users.add_user(session, CLI, "Ａｌｉｃｅ", "viewer", PASSWORD) == "Alice"
    for typed in ["Alice", "alice", "ALICE", "ａｌｉｃｅ"]:
        assert users.log_in(engine, typed, PASSWORD, client="203.0.113.5").ok, typed


@pytest.mark.parametrize(
    ("key", "skeleton"), [("bob", "other"), ("other", "bob")], ids=["same key", "same skeleton"]
)
def test_the_database_refuses_a_second_account_with_a_key_or_skeleton(engine, key, skeleton):
    """The unique indexes hold even for a writer that skips the checks (or races them)."""
    row = {"role": "viewer", "password_hash": "x", "disabled": False, "created_at": datetime.now()}
    with session_scope(engine) as session:
        session.execute(
            insert(User).values(username="bob", name_key="bob", name_skeleton="bob", **row)
        )
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.execute(
            insert(User).values(username="Bob", name_key=key, name_skeleton=skeleton, **row)
        )


@given(name=st.text(st.characters(codec="utf-8", categories=["L", "N"]), min_size=1))
def test_key_and_skeleton_are_stable(name):
    key = names.key(name)
    assert names.key(key) == key
    assert names.skeleton(names.skeleton(name)) == names.skeleton(name)
    wide = "".join(map(_fullwidth, name))
    assert (names.key(wide), names.skeleton(wide)) == (key, names.skeleton(name))


@pytest.mark.parametrize("latin", sorted(HOMOGLYPHS))
def test_the_homoglyphs_used_here_share_a_skeleton_with_their_latin_letter(latin):
    for other in HOMOGLYPHS[latin]:
        assert names.skeleton(other) == names.skeleton(latin), (latin, other)


# --- accounts that already looked alike before revision 0011 ----------------------------

LEGACY = ["admin", "Admin", "аdmin"]  # the last with a Cyrillic а


@pytest.fixture
def legacy(tmp_path):
    """A database at revision 0009 holding three accounts that look alike, then upgraded."""
    engine = get_engine(f"sqlite:///{tmp_path / 'legacy.db'}")
    schema.upgrade(engine, "0009")
    hashed = users.hash_password(PASSWORD)
    with engine.begin() as conn:
        for name in LEGACY:
            conn.execute(
                text(
                    "INSERT INTO app_user (username, role, password_hash, disabled, "
                    "must_change_password, created_at) VALUES (:n, 'admin', :h, 0, 0, "
                    "'2025-01-01 00:00:00.000000')"
                ),
                {"n": name, "h": hashed},
            )
    schema.upgrade(engine)
    return engine


def test_look_alikes_made_before_keep_logging_in_and_are_named(legacy):
    for name in LEGACY:
        result = users.log_in(legacy, name, PASSWORD, client="203.0.113.6")
        assert result.ok, name
    # Typed otherwise, a name means the oldest account it looks like.
    assert users.log_in(legacy, "ADMIN", PASSWORD, client="203.0.113.6").ok
    with session_scope(legacy) as session:
        held = session.execute(select(User.username, User.name_key, User.name_skeleton)).all()
    assert sorted(held) == [
        ("Admin", None, None),
        ("admin", "admin", names.skeleton("admin")),
        ("аdmin", "аdmin", None),
    ]
    with session_scope(legacy) as session:
        listed = {u.username: u.looks_like for u in users.list_users(session, CLI)}
    assert listed == {"admin": None, "Admin": "admin", "аdmin": "admin"}
    findings = doctor.examine(Settings(), legacy, "legacy.db")
    [warning] = [f for f in findings if f.topic == "相似账号"]
    assert warning.status == "warn" and "“Admin”像“admin”" in warning.detail
    with session_scope(legacy) as session, pytest.raises(TousuError, match="看起来相同"):
        users.add_user(session, CLI, "ADMIN", "viewer", PASSWORD)
