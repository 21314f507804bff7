"""Secrets Tousu generates for itself: never a constant in the code."""

from __future__ import annotations

import os
import secrets as random

from models.settings import Settings, get_settings


def cookie_key(settings: Settings | None = None) -> str:
    """TOUSU_COOKIE_KEY, or a strong random key made once and kept readable by its owner only."""
    settings = settings or get_settings()
    if settings.cookie_key:
        return settings.cookie_key
    path = settings.secrets_dir / "cookie_key"
    if not path.exists():
        settings.secrets_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(random.token_urlsafe(48))
    return path.read_text().strip()
