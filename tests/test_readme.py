"""The README's command-line examples are what the commands print on the demo data."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from cli.main import main

README = Path(__file__).resolve().parent.parent / "README.md"
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
