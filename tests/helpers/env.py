"""The environment of a program a test starts."""

from __future__ import annotations

import os


def clean_env(*, outside: bool = False, **settings: str) -> dict[str, str]:
    """This process's environment without any AGRIKG_* variable (a developer's own settings
    must never reach a test), with `settings` as AGRIKG_<NAME>. `outside`: also without this
    checkout's venv and PYTHONPATH, as a user who installed the wheel has it."""
    dropped = ("PYTHONPATH", "VIRTUAL_ENV") if outside else ()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AGRIKG_") and k not in dropped}
    return env | {f"AGRIKG_{k.upper()}": str(v) for k, v in settings.items()}
