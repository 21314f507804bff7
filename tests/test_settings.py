"""Settings come from the environment, and every one is documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.settings import SETTINGS_HELP, Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(SETTINGS_HELP))
def test_every_setting_is_documented(name):
    assert f"`{name}`" in README


def test_defaults_and_overrides():
    default = Settings.from_env({})
    assert default.database_url.endswith("data/tousu.db") and default.refresh_seconds == 60
    assert default.cookie_key is None and default.public_dashboards is False
    custom = Settings.from_env({"TOUSU_REFRESH_SECONDS": "15", "TOUSU_PUBLIC_DASHBOARDS": "yes"})
    assert custom.refresh_seconds == 15 and custom.public_dashboards is True


def test_bad_refresh_value_is_explained():
    with pytest.raises(ValueError, match="TOUSU_REFRESH_SECONDS"):
        Settings.from_env({"TOUSU_REFRESH_SECONDS": "soon"})
