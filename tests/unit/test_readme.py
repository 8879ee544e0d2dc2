"""The README's configuration table lists every setting, so nobody has to read the code."""

from __future__ import annotations

from dataclasses import fields

from portal import PROJECT_ROOT
from portal.config import Settings, env_name


def test_every_setting_is_documented() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    missing = [env_name(f.name) for f in fields(Settings) if f"`{env_name(f.name)}`" not in readme]
    assert missing == []
