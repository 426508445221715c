"""Running a coroutine from a test."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_apart(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine function on an event loop of its own thread: the browser tests' session
    (Playwright's sync API) keeps a loop running on the main thread for the rest of the run,
    and asyncio.run refuses to start beside it."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()
