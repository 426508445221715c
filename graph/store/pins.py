"""Which builds are in use, across processes: whoever reads a build (the server serving it, a
request still answering from it, `agrikg query`) holds a shared `flock` on the build's lock
file; pruning takes an exclusive lock without waiting and leaves a build it cannot lock. The
kernel drops a lock when its holder exits, so a crashed reader never keeps a build forever."""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import weakref
from pathlib import Path

LOCK_FILE = ".readers.lock"
log = logging.getLogger("agrikg.pins")


class BuildGone(Exception):
    """The build is being removed (or was): resolve `current` again."""


class BuildPin:
    """A shared lock on one build directory, held until `release()` or until the pin is
    garbage-collected. The descriptor is not inherited by child processes (workers open the
    store themselves), so only this process's pin keeps the build."""

    def __init__(self, build_dir: Path):
        self.path = Path(build_dir)
        lock = self.path / LOCK_FILE
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except FileNotFoundError:
            raise BuildGone(f"the build {self.path.name} no longer exists") from None
        except OSError:  # a home that cannot be written: nothing can be pruned from it either
            fd = os.open(lock, os.O_RDONLY | os.O_CLOEXEC) if lock.exists() else -1
        if fd >= 0:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                # The lock file may have been removed (with its build) before the lock was taken.
                if os.fstat(fd).st_ino != os.stat(lock).st_ino:
                    raise FileNotFoundError(lock)
            except (BlockingIOError, FileNotFoundError):
                os.close(fd)
                raise BuildGone(f"the build {self.path.name} is being removed") from None
            except BaseException:
                os.close(fd)
                raise
        self._finalizer = weakref.finalize(self, _close, fd)

    def release(self) -> None:
        self._finalizer()


def _close(fd: int) -> None:
    if fd >= 0:
        os.close(fd)


def remove_unless_pinned(build_dir: Path) -> bool:
    """Remove a build directory unless some process reads it; True when it was removed. The
    exclusive lock is held while it is removed, so no reader can pin it halfway."""
    try:
        fd = os.open(build_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        log.warning("cannot lock the build %s to remove it (%s); kept", build_dir.name, exc)
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # served or read right now; a later prune removes it
        shutil.rmtree(build_dir, ignore_errors=True)
        return not build_dir.exists()
    finally:
        os.close(fd)
