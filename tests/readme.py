"""The README's shell commands, taken as printed, for the tests that run them."""

from __future__ import annotations

import os
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def bash_block(heading: str) -> str:
    """The first ```bash block under the README heading ``heading`` (## or ###), verbatim."""
    lines = README.read_text(encoding="utf-8").splitlines(keepends=True)
    fenced, inside, block = False, False, None
    for line in lines:
        if line.startswith("```"):
            if inside and not fenced and line.strip() == "```bash":
                block = []
            elif block is not None:
                return "".join(block)
            fenced = not fenced
        elif block is not None:
            block.append(line)
        elif not fenced and line.startswith("#"):
            inside = line.lstrip("#").strip() == heading
    raise AssertionError(f"no bash block under {heading!r} in the README")


def shell_env(**settings: str) -> dict[str, str]:
    """An environment like an operator's: `tousu` on the PATH, no Tousu settings but these."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOUSU_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **settings}
