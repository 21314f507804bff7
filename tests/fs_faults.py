"""Real file-system faults for tests: a small disk that fills up, a file made read-only.

Both are mounts (a tmpfs of a given size; a read-only bind mount of one file), which need
root with the right to mount, as on the development machine and a CI VM. Where mounting
is not allowed, :func:`can_mount` says why and the tests use their fallbacks.
"""

from __future__ import annotations

import functools
import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _mount(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["mount", *args], capture_output=True, text=True)


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


@functools.cache
def can_mount() -> str | None:
    """None when this process may mount file systems, else why not."""
    if os.geteuid() != 0:
        return "mounting needs root"
    with tempfile.TemporaryDirectory() as folder:
        done = _mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", folder)
        if done.returncode != 0:
            return f"mount is not permitted here: {done.stderr.strip()}"
        _umount(Path(folder))
    return None


@contextmanager
def small_disk(folder: Path, size: int) -> Iterator[Path]:
    """``folder`` as a file system of ``size`` bytes (tmpfs) for the block's duration."""
    folder.mkdir(parents=True, exist_ok=True)
    done = _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder))
    assert done.returncode == 0, done.stderr
    try:
        yield folder
    finally:
        _umount(folder)


@contextmanager
def read_only(path: Path) -> Iterator[Path]:
    """``path`` (a file) made read-only for everyone, root included: a read-only bind mount.

    Opened afresh, SQLite falls back to reading it; its folder stays writable for the
    WAL's -shm file, as on a server where only the database file is read-only.
    """
    done = _mount("--bind", str(path), str(path))
    assert done.returncode == 0, done.stderr
    try:
        done = _mount("-o", "remount,bind,ro", str(path))
        assert done.returncode == 0, done.stderr
        yield path
    finally:
        _umount(path)


def fill_up(folder: Path) -> Path:
    """Write a file into ``folder`` until its disk is full; returns it (delete to free)."""
    filler = folder / "filler"
    chunk = b"\0" * 65536
    with filler.open("wb") as handle:
        try:
            while True:
                handle.write(chunk)
                handle.flush()
        except OSError:
            pass
    return filler
