"""Builds a test serves: a copy of the session's build in a home of its own, switched to as a
build switches (the `current` link replaced atomically)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def copy_build(source: Path, home: Path, name: str) -> Path:
    """builds/NAME in `home`: a copy of the build at `source`."""
    return Path(shutil.copytree(source, home / "builds" / name, symlinks=True))


def point_current(home: Path, name: str) -> None:
    """Serve builds/NAME, swapping the link atomically as a build does."""
    tmp = home / ".current.test"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(Path("builds") / name)
    os.replace(tmp, home / "current")


def serve_copy(source: Path, home: Path, name: str = "a") -> Path:
    """A home serving a copy of the build at `source`; the copy's path."""
    build = copy_build(source, home, name)
    point_current(home, name)
    return build


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in a copied data file (it must be there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, fragment: str) -> int:
    """The line number of the first line holding `fragment`: where a build problem must point."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(fragment)
