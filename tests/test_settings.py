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
    assert default.trusted_proxies == () and default.public_dashboards is False
    custom = Settings.from_env(
        {
            "TOUSU_REFRESH_SECONDS": "15",
            "TOUSU_PUBLIC_DASHBOARDS": "yes",
            "TOUSU_TRUSTED_PROXIES": "10.0.0.7, 172.16.0.0/12",
        }
    )
    assert custom.refresh_seconds == 15 and custom.public_dashboards is True
    assert custom.trusted_proxies == ("10.0.0.7/32", "172.16.0.0/12")


def test_bad_trusted_proxy_is_explained():
    with pytest.raises(ValueError, match="TOUSU_TRUSTED_PROXIES"):
        Settings.from_env({"TOUSU_TRUSTED_PROXIES": "my-proxy"})


def test_bad_refresh_value_is_explained():
    with pytest.raises(ValueError, match="TOUSU_REFRESH_SECONDS"):
        Settings.from_env({"TOUSU_REFRESH_SECONDS": "soon"})


def test_settings_follow_the_environment_except_where_pinned(monkeypatch):
    from models.settings import get_settings, pinned

    monkeypatch.setenv("TOUSU_RATING_MIN_COMPLAINTS", "7")
    assert get_settings().rating_min_complaints == 7
    with pinned() as held:
        monkeypatch.setenv("TOUSU_RATING_MIN_COMPLAINTS", "8")
        assert get_settings() is held and held.rating_min_complaints == 7  # one page run
        with pinned():
            assert get_settings() is held
        assert get_settings() is held
    assert get_settings().rating_min_complaints == 8
    monkeypatch.setenv("TOUSU_RATING_MIN_COMPLAINTS", "x")
    with pytest.raises(ValueError, match="TOUSU_RATING_MIN_COMPLAINTS"):
        get_settings()
