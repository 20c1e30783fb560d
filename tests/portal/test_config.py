"""The portal's configuration keys and its secret key."""
from __future__ import annotations

from pathlib import Path

import pytest

from clearance.config import ConfigError, from_environ, portal_config
from portal.config import secret_key_for


def test_portal_keys_and_defaults() -> None:
    settings = from_environ({})
    assert (settings.portal_host, settings.portal_port, settings.portal_secret_key) == ("127.0.0.1", 5000, None)
    settings = from_environ({"PORTAL_HOST": "0.0.0.0", "PORTAL_PORT": "8080", "PORTAL_SECRET_KEY": "k" * 40})
    assert (settings.portal_host, settings.portal_port, settings.portal_secret_key) == ("0.0.0.0", 8080, "k" * 40)
    assert portal_config(settings, "k" * 40).secure_cookies
    assert not portal_config(from_environ({}), "k" * 40).secure_cookies


@pytest.mark.parametrize("key, value", [("PORTAL_PORT", "0"), ("PORTAL_PORT", "http"), ("PORTAL_HOST", " "),
                                        ("PORTAL_SECRET_KEY", "short")])
def test_bad_values_name_the_key(key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=key):
        from_environ({key: value})


def test_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    settings = from_environ({"CLEARANCE_DATA_DIR": str(tmp_path / "data")})
    first = secret_key_for(settings.portal_secret_key, settings.data_dir)
    assert len(first) >= 32 and secret_key_for(None, settings.data_dir) == first
    assert (tmp_path / "data" / "portal-secret").read_text().strip() == first
    given = from_environ({"CLEARANCE_DATA_DIR": str(tmp_path), "PORTAL_SECRET_KEY": "s" * 32})
    assert secret_key_for(given.portal_secret_key, given.data_dir) == "s" * 32
