"""How `agrikg serve` runs uvicorn (uvloop and httptools), with what uvicorn leaves out for a
server facing the open network:

- A time limit on reading a request's line and headers (and then its body), and a bound on
  the connections still sending them (the oldest is closed first). uvicorn has neither: 1,100
  clients that never finished their headers held every file descriptor and locked everyone
  else out.
- A URL limit answered 414 with a hint to use POST, and JSON for every request refused before
  it reaches the app (uvicorn answers a plain-text 400; httptools' URL parser gives up at
  64 KiB, so the limit sits below that).
- Raw UTF-8 bytes in the request target, accepted as Oxigraph's server accepts them: llhttp
  refuses bytes above 0x7F there, so they are percent-encoded before it reads them.
- Log lines that request values cannot forge: control characters are escaped.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import resource
import time
from collections import OrderedDict
from collections.abc import Mapping
from copy import copy
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

import httptools
from uvicorn.config import LOGGING_CONFIG
from uvicorn.logging import AccessFormatter, DefaultFormatter
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from graph.settings import Settings

POST_HINT = ("send a long query by POST instead: application/x-www-form-urlencoded with "
             "query=..., or the query itself as application/sparql-query")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
# How long the rest of a refused request is read (and dropped) before the connection closes.
LINGER_SECONDS = 2.0


@dataclass(frozen=True)
class Limits:
    header_timeout: float
    max_url_bytes: int
    max_head_bytes: int
    max_pending: int


@cache
def limits() -> Limits:
    """This process's limits, from AGRIKG_* (uvicorn's worker processes read them anew)."""
    settings = Settings()
    pending = settings.max_pending_connections or max(
        64, resource.getrlimit(resource.RLIMIT_NOFILE)[0] // 2)
    # The 431 middleware counts names and values; on the wire each header line adds ": " and
    # CRLF, so the raw cap is looser and only bounds memory for a head that never ends.
    head = settings.max_url_bytes + 2 * settings.max_header_bytes + 4096
    return Limits(settings.header_timeout, settings.max_url_bytes, head, pending)


class _Refused(Exception):
    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline and a bound for unfinished request heads,
    a URL limit, raw UTF-8 in the request target, and JSON refusals."""

    # Connections still sending a request line, headers or body, oldest first (per process).
    _pending: ClassVar[OrderedDict[GuardedHttpToolsProtocol, float]] = OrderedDict()
    _sweeper: ClassVar[asyncio.TimerHandle | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits()
        self._url_bytes = 0
        self._head_bytes = 0
        # Whether the next bytes start (or continue) a request line, and whether the parser
        # has begun that request already.
        self._at_line = True
        self._line_begun = False
        self._begins_expected = 0
        self._lingering = False

    # -- connection life --------------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._wait_for_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._pending.pop(self, None)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._lingering or self.transport.is_closing():
            return  # the rest of a refused request, read and dropped
        self._unset_keepalive_if_required()
        data = self._escape_request_line(data)
        try:
            self.parser.feed_data(data)
            if self in self._pending and not self._in_body():
                self._head_bytes += len(data)
                if self._head_bytes > self.limits.max_head_bytes:
                    raise _Refused(431, "the request line and headers are larger than "
                                        f"{self.limits.max_head_bytes} bytes")
        except _Refused as exc:
            self._refuse(exc.status, exc.detail, linger=True)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
        except httptools.HttpParserError as exc:
            cause = exc.__context__
            if isinstance(cause, _Refused):
                self._refuse(cause.status, cause.detail, linger=True)
            else:
                self.logger.warning("Invalid HTTP request received.")
                self._refuse(400, f"not a valid HTTP/1.1 request ({exc})", linger=True)

    # -- parser callbacks -------------------------------------------------------------------
    def on_message_begin(self) -> None:
        if self._begins_expected:
            self._begins_expected -= 1
            self._line_begun = True
        else:  # a pipelined request began inside a chunk: its line is left as it came
            self._at_line = False
        self._url_bytes = 0
        super().on_message_begin()
        self._wait_for_head()

    def on_url(self, url: bytes) -> None:
        self._url_bytes += len(url)
        if self._url_bytes > self.limits.max_url_bytes:
            raise _Refused(414, f"the request URL is longer than {self.limits.max_url_bytes} "
                                f"bytes; {POST_HINT}")
        super().on_url(url)

    def on_headers_complete(self) -> None:
        self._pending.pop(self, None)
        self._head_bytes = 0
        super().on_headers_complete()
        # A body to come gets the same time from here, while this request is the one being
        # served (a pipelined one waits, unread, for its turn).
        if self._body_expected() and not self.pipeline and not self.transport.is_closing():
            self._wait_for_head()

    def on_message_complete(self) -> None:
        self._pending.pop(self, None)
        super().on_message_complete()
        self._at_line, self._line_begun = True, False

    # -- helpers ----------------------------------------------------------------------------
    def _body_expected(self) -> bool:
        for name, value in self.headers:
            if name == b"content-length":
                return value.strip() not in (b"", b"0")
            if name == b"transfer-encoding":
                return True
        return False

    def _escape_request_line(self, data: bytes) -> bytes:
        """Percent-encode bytes above 0x7F in a request line (only its target may hold them),
        as UTF-8 is read from a query string everywhere else."""
        if not self._at_line:
            self._begins_expected = 0
            return data
        self._begins_expected = 0 if self._line_begun else 1
        end = data.find(b"\n")
        line = data if end < 0 else data[:end]
        self._at_line = end < 0
        if line.isascii():
            return data
        escaped = _HIGH_BYTE.sub(lambda m: b"%%%02X" % m.group()[0], line)
        return escaped if end < 0 else escaped + data[end:]

    def _wait_for_head(self) -> None:
        """Start this connection's clock for its request head (or body); past the bound on
        unfinished requests, close the oldest."""
        cls = GuardedHttpToolsProtocol
        if self in cls._pending:
            return
        cls._pending[self] = time.monotonic()
        if len(cls._pending) > self.limits.max_pending:
            oldest = next(iter(cls._pending))
            oldest._refuse(503, "too many connections are still sending their request; this "
                                "one was the oldest. Try again.", retry=True)
        if cls._sweeper is None:
            cls._sweeper = self.loop.call_later(self._sweep_interval(), cls._sweep, self.loop)

    def _sweep_interval(self) -> float:
        return min(1.0, self.limits.header_timeout / 4)

    @classmethod
    def _sweep(cls, loop: asyncio.AbstractEventLoop) -> None:
        """Answer 408 to every connection whose request head is overdue, and close it."""
        cls._sweeper = None
        if not cls._pending:
            return
        now = time.monotonic()
        first = next(iter(cls._pending))
        timeout = first.limits.header_timeout
        while cls._pending:
            connection, since = next(iter(cls._pending.items()))
            if now - since < timeout:
                break
            if connection.flow.read_paused:  # the server is not reading: not the client's delay
                cls._pending.move_to_end(connection)
                cls._pending[connection] = now
                continue
            what = "body" if connection._in_body() else "line and headers"
            connection._refuse(408, f"the request {what} did not arrive within {timeout:g} s")
        cls._sweeper = loop.call_later(first._sweep_interval(), cls._sweep, loop)

    def _in_body(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete \
            and self.cycle.more_body

    def _refuse(self, status: int, detail: str, retry: bool = False,
                linger: bool = False) -> None:
        """Answer JSON like the app's own errors, then close the connection. A request the app
        is serving is told that its client is gone. With `linger` (a request refused while the
        client may still be sending it), the server stops writing but reads on for a moment,
        so that the client reads the answer instead of a connection reset."""
        self._pending.pop(self, None)
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            started = cycle.response_started
            cycle.disconnected = True  # the app's sends are dropped, its receive says so
            cycle.message_event.set()
            if started:  # a response is under way: it cannot be followed by ours
                self.transport.close()
                return
        body = json.dumps({"detail": detail}, ensure_ascii=False, separators=(",", ":")).encode()
        content = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            content += [name, b": ", value, b"\r\n"]
        content += [b"content-type: application/json\r\n",
                    b"content-length: %d\r\n" % len(body),
                    b"access-control-allow-origin: *\r\n",
                    b"retry-after: 1\r\n" if retry else b"",
                    b"connection: close\r\n\r\n", body]
        self.transport.write(b"".join(content))
        if linger and self.transport.can_write_eof():
            self._lingering = True
            self.transport.write_eof()
            self.loop.call_later(LINGER_SECONDS, self.transport.close)
            return
        self.transport.close()


# -- logging --------------------------------------------------------------------------------
_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))} | {
    0x2028: "\\u2028", 0x2029: "\\u2029"}


def escape_controls(text: str) -> str:
    r"""`text` with control characters (and Unicode line separators) written as \xNN."""
    return text.translate(_CONTROL)


def _escaped(value: object) -> object:
    return value if isinstance(value, int | float) else escape_controls(str(value))


class _Escaping(logging.Formatter):
    """Escapes control characters in a record's message and arguments (request values end up
    there), so that one record is one line; a traceback's lines are indented."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record = copy(record)
        record.msg = escape_controls(str(record.msg))
        if isinstance(record.args, Mapping):
            record.args = {k: _escaped(v) for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(_escaped(a) for a in record.args)
        record.message = record.getMessage()
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:
        return "\n".join("  " + escape_controls(line)
                         for line in super().formatException(ei).splitlines())


class EscapingFormatter(_Escaping, DefaultFormatter):
    pass


class EscapingAccessFormatter(_Escaping, AccessFormatter):
    pass


def log_config() -> dict:
    """uvicorn's logging set-up with escaping formatters, and agrikg's own loggers on it."""
    config = copy(LOGGING_CONFIG)
    config["formatters"] = {
        "default": {**LOGGING_CONFIG["formatters"]["default"],
                    "()": "api.server.EscapingFormatter"},
        "access": {**LOGGING_CONFIG["formatters"]["access"],
                   "()": "api.server.EscapingAccessFormatter"},
    }
    config["loggers"] = {**LOGGING_CONFIG["loggers"],
                         "agrikg": {"handlers": ["default"], "level": "INFO",
                                    "propagate": False}}
    return config


def run(settings: Settings) -> None:
    """Serve the app (read from AGRIKG_* in each worker process) on settings.host:port."""
    import uvicorn

    uvicorn.run("api.app:app_from_env", factory=True, host=settings.host, port=settings.port,
                workers=settings.workers, loop="uvloop",
                http="api.server:GuardedHttpToolsProtocol", log_config=log_config(),
                log_level="info", access_log=settings.access_log)
