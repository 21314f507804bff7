"""Every module, name or file that a docstring or comment of the application names exists.

Read statically (pages run Streamlit when imported): a dotted name resolves through module
files, then through the names a module defines or imports, then through class bodies.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("models", "web", "dashboard", "admin", "cli", "reports")
FOLDERS = (*PACKAGES, "tests", "scripts", "docs", "deploy", "benchmarks")
PATH = re.compile(rf"(?<![\w./-])(?:{'|'.join(FOLDERS)})/[\w./-]*\w")
DOTTED = re.compile(rf"(?<![\w./-])(?:{'|'.join(PACKAGES)})(?:\.\w+)+")
ROLE = re.compile(r":(?:mod|func|class|meth|attr|data|exc|obj):`~?([\w.]+)`")


def sources() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def texts(path: Path):
    """(line, text) of each comment and docstring in a file."""
    source = path.read_text(encoding="utf-8")
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            yield token.start[0], token.string
    for node in ast.walk(ast.parse(source)):
        documented = isinstance(
            node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
        )
        if documented and (doc := ast.get_docstring(node, clean=False)) is not None:
            yield node.body[0].lineno, doc


def module_file(dotted: str) -> Path | None:
    base = ROOT.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@cache
def namespace(path: Path) -> dict[str, ast.AST | str]:
    """Names a module (or class) defines: a node, or the dotted name an import refers to."""
    return _names(ast.parse(path.read_text(encoding="utf-8")).body, path)


def _names(body: list[ast.stmt], path: Path) -> dict[str, ast.AST | str]:
    names: dict[str, ast.AST | str] = {}
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names[node.name] = node
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        names[name.id] = node
        elif isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom):
            origin = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                origin = ".".join([*parent, *([origin] if origin else [])])
            for alias in node.names:
                names[alias.asname or alias.name] = f"{origin}.{alias.name}"
        elif isinstance(node, ast.If | ast.Try):  # TYPE_CHECKING blocks, optional imports
            for block in (node.body, getattr(node, "orelse", []), getattr(node, "handlers", [])):
                for inner in block:
                    names |= _names(
                        inner.body if isinstance(inner, ast.ExceptHandler) else [inner], path
                    )
    return names


def resolves(dotted: str, module: Path | None = None) -> bool:
    """Whether ``dotted`` names a module, or a name in a module or class (``module``: where it is written)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        if (path := module_file(".".join(parts[:cut]))) is not None:
            return _member(namespace(path), parts[cut:], path)
    if module is None:
        return False
    names = namespace(module)  # written in a module: its names, or its classes' (Sphinx's lookup)
    classes = [
        _names(node.body, module) for node in names.values() if isinstance(node, ast.ClassDef)
    ]
    return any(_member(scope, parts, module) for scope in [names, *classes])


def _member(names: dict[str, ast.AST | str], rest: list[str], path: Path) -> bool:
    if not rest:
        return True
    found = names.get(rest[0])
    if isinstance(found, str):  # imported: look where it comes from
        return found.split(".")[0] in PACKAGES and resolves(".".join([found, *rest[1:]]))
    if isinstance(found, ast.ClassDef):
        return _member(_names(found.body, path), rest[1:], path)
    return found is not None and len(rest) == 1


def references() -> list[tuple[str, str, str]]:
    """(where, kind, reference) for every module, name or path named in the application."""
    found = []
    for path in sources():
        for line, text in texts(path):
            where = f"{path.relative_to(ROOT)}:{line}"
            paths = PATH.findall(text)
            found += [(where, "path", p) for p in paths]
            text = PATH.sub("", text)
            found += [(where, "role", r) for r in ROLE.findall(text)]
            found += [(where, "dotted", d) for d in DOTTED.findall(ROLE.sub("", text))]
    return found


def stale(where: str, kind: str, reference: str) -> bool:
    if kind == "path":
        return not (ROOT / reference).exists()
    module = ROOT / where.split(":")[0]
    return not resolves(reference, module if kind == "role" else None)


def test_references_are_found():
    kinds = {kind for _where, kind, _ref in references()}
    assert kinds == {"path", "role", "dotted"}
    assert resolves("models.rules.filters.Filters.intersect")
    assert not resolves("models.filters.Filters")
    assert not resolves("models.rules.filters.Filters.no_such_method")


def test_docstrings_and_comments_name_what_exists():
    missing = [
        f"{where}: {reference}"
        for where, kind, reference in references()
        if stale(where, kind, reference)
    ]
    assert not missing, "stale references:\n" + "\n".join(missing)
