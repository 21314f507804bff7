"""The README's command-line examples are what the commands print on the demo data."""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess

import pytest

from cli.main import main
from tests.readme import README, bash_block, shell_env

ELLIPSIS = "…"  # the command prints more lines than the README shows


def example_blocks(text: str) -> list[list[tuple[list[str], list[str]]]]:
    """Each code block that starts with `$ tousu demo`: its commands and the lines shown."""
    blocks = []
    bodies = re.split(r"^```.*$", text, flags=re.M)[1::2]  # inside the fences
    for body in (b.strip("\n") for b in bodies):
        if not body.startswith("$ tousu demo"):
            continue
        steps: list[tuple[list[str], list[str]]] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                steps.append((shlex.split(line[2:], comments=True), []))
            else:
                steps[-1][1].append(line)
        blocks.append(steps)
    return blocks


def test_the_readme_has_checked_examples():
    blocks = example_blocks(README.read_text(encoding="utf-8"))
    commands = [argv[1] for block in blocks for argv, _shown in block]
    assert "ratings" in commands and "stats" in commands


@pytest.mark.parametrize("block", example_blocks(README.read_text(encoding="utf-8")))
def test_readme_example_matches_real_output(block, sqlite_url, monkeypatch, capsys):
    monkeypatch.setenv("TOUSU_DATABASE_URL", sqlite_url)
    for argv, shown in block:
        assert argv[0] == "tousu"
        code = main(argv[1:])
        out = capsys.readouterr().out
        assert code == 0, argv
        if not shown:
            continue
        printed = out.rstrip("\n").splitlines()
        if shown[-1] == ELLIPSIS:
            shown = shown[:-1]
            assert len(printed) > len(shown), argv
            printed = printed[: len(shown)]
        assert printed == shown, f"README example out of date: {shlex.join(argv)}"


def test_the_readme_states_every_password_rule():
    """The rules the pages print and the check applies (one list) are the README's too."""
    from models.access.users import PASSWORD_RULES

    def squeezed(text: str) -> str:  # wrapped lines and spacing aside
        return re.sub(r"\s+", "", text)

    readme = squeezed(README.read_text(encoding="utf-8"))
    missing = [rule.text for rule in PASSWORD_RULES if squeezed(rule.text) not in readme]
    assert missing == []


def doctor_sample(text: str) -> list[str]:
    """The lines the README shows `tousu doctor` printing."""
    bodies = re.split(r"^```.*$", text, flags=re.M)[1::2]
    (body,) = [b.strip("\n") for b in bodies if b.strip("\n").startswith("$ tousu doctor")]
    return body.splitlines()[1:]


def _digits(detail: str) -> str:
    return re.sub(r"\d[\d,]*", "N", detail)


#: The sample's lines that describe the machine it ran on, compared by what does not; every
#: other line — the schema version, the summaries, the settings, the verdict — exactly.
MACHINE = {
    "数据库": lambda shown, real: real.startswith(("sqlite", "postgresql+psycopg://")),
    "连接": lambda shown, real: real.startswith("可以连接（") and shown.startswith("可以连接（"),
    "行数": lambda shown, real: _digits(shown) == _digits(real),
    "服务": lambda shown, real: _digits(shown) == _digits(real),
    "状态目录": lambda shown, real: shown.endswith("（0700）") and real.endswith("（0700）"),
}


def _parse(line: str) -> tuple[str, str, str] | None:
    found = re.match(r"^  ([✓!✗]) (\S+) +(.*)$", line)
    return found.groups() if found else None  # type: ignore[return-value]


def test_readme_doctor_sample_is_what_doctor_prints(use_db, tmp_path, monkeypatch, capsys):
    """The README's `tousu doctor` screen, on a deployment set up as it describes: HTTPS
    address, `tousu serve --public` running (as it notes itself in the state folder), two
    administrators, a private state folder. The schema version shown is the newest
    migration's, whatever it is now."""
    from models.access import users
    from models.access.roles import CLI
    from models.ops import serving
    from models.store import schema
    from models.store.db import get_engine, session_scope

    sample = doctor_sample(README.read_text(encoding="utf-8"))
    assert f"  ✓ 结构版本        {schema.head_revision()}（最新）" in sample
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    monkeypatch.setenv("TOUSU_STATE_DIR", str(state))
    monkeypatch.setenv("TOUSU_BASE_URL", "https://tousu.example.org")
    monkeypatch.delenv("TOUSU_PUBLIC_DASHBOARDS", raising=False)
    for path in tmp_path.glob("tousu.db*"):
        path.chmod(0o600)
    with session_scope(get_engine(use_db), write=True) as session:
        for name in ("anna", "boss"):
            users.add_user(session, CLI, name, "admin", "correct-horse-battery")
    serving.record(
        serving.Serving(
            "http://127.0.0.1:8501", True, "--public", "https://tousu.example.org", os.getpid()
        )
    )
    code = main(["doctor"])
    printed = capsys.readouterr().out.rstrip("\n").splitlines()
    if get_engine(use_db).dialect.name == "sqlite":  # the sample is PostgreSQL's
        (file_line,) = [row for row in printed if " 数据库文件 " in row]
        assert file_line.startswith("  ✓ ")
        printed.remove(file_line)
    assert code == 0 and len(printed) == len(sample), printed
    for shown, real in zip(sample, printed, strict=True):
        parsed_shown, parsed_real = _parse(shown), _parse(real)
        if parsed_shown is None or parsed_real is None:  # the heading and the verdict
            assert shown == real
            continue
        mark, topic, detail = parsed_shown
        assert parsed_real[:2] == (mark, topic), real
        same = MACHINE.get(topic, lambda a, b: a == b)(detail, parsed_real[2])
        assert same, f"README doctor sample out of date:\n{shown}\n{real}"
        if topic not in MACHINE:  # the alignment too
            assert shown == real


def test_readme_backup_commands_run_as_printed(use_db, tmp_path):
    """The Backups commands as printed, on a server where /backups does not exist yet (a
    fresh folder in its place): they make it, private, and write both kinds of backup."""
    folder = tmp_path / "backups"
    commands = bash_block("Backups")
    assert "/backups" in commands
    done = subprocess.run(
        ["bash", "-e", "-c", commands.replace("/backups", str(folder))],
        env=shell_env(TOUSU_DATABASE_URL=use_db),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    made = sorted(folder.iterdir())
    assert [p.name.split(".", 1)[1] for p in made] == ["db", "tousu.gz"]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in made)


def test_readme_says_when_an_open_page_notices_the_database_is_down():
    """Not at once: at its next look at the data (tests/test_browser_startup.py times it)."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### When the database is down\n", 1)[1].split("\n## ", 1)[0]
    assert "a page already open notices at its next look at the data" in section
    assert "up to `TOUSU_REFRESH_SECONDS` later" in section
