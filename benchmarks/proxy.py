"""deploy/nginx.conf filled in with given ports and run in the foreground (tests, benchmark)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

CONF = Path(__file__).resolve().parent.parent / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def config(backends: list[str], port: int, site: Path | None = None) -> str:
    """The deployment's nginx.conf with these backends (http://host:port) and this port,
    serving the published ``site`` (``tousu publish --output``) under /publications/."""
    text = CONF.read_text(encoding="utf-8")
    servers = "".join(f"        server {b.split('//', 1)[1]};\n" for b in backends)
    text = re.sub(
        r"(upstream tousu \{\n.*?\n)(?:\s+server [^\n]*\n)+",
        lambda m: m.group(1) + servers,
        text,
        flags=re.S,
    )
    if site is not None:
        text = text.replace("alias /srv/tousu/site/;", f"alias {site}/;")
    return text.replace("listen 127.0.0.1:8080;", f"listen 127.0.0.1:{port};")


def _globals(site: Path | None) -> str:
    # Started as root, nginx's workers drop to nobody, who cannot enter a private temporary
    # folder (pytest's, mkdtemp's): a site there is read as the user running the tests. A
    # deployment's site lies where nginx's user may read it (README "Publishing").
    if site is not None and os.geteuid() == 0:
        return "daemon off; user root;"
    return "daemon off;"


@contextmanager
def nginx(folder: Path, backends: list[str], port: int, site: Path | None = None):
    """nginx in front of ``backends`` (and serving ``site``); yields its base URL."""
    folder.mkdir(parents=True, exist_ok=True)  # as the README's `mkdir -p`, nothing more
    (folder / "nginx.conf").write_text(config(backends, port, site), encoding="utf-8")
    process = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", _globals(site)],
        stderr=subprocess.PIPE,
    )
    try:
        time.sleep(0.5)
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode() if process.stderr else "nginx")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()
