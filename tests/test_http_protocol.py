"""Connections and HTTP protocol over real HTTP, through `agrikg serve`: slow clients that never
finish their request heads, HEAD, conditional dump requests, the URL limit, raw UTF-8 in the
query string, Vary, log lines request values cannot forge, no file-system paths."""

from __future__ import annotations

import json
import re
import resource
import selectors
import socket
import time
from collections import Counter
from collections.abc import Iterator
from email.utils import formatdate, parsedate_to_datetime
from urllib.parse import quote, urlsplit

import httpx
import pytest

from graph.build.builder import build, current_build
from graph.settings import Settings
from tests.helpers.servers import start_api, until

# The server's open-file limit, and more connections that never finish their heads than it
# has file descriptors: what locked every other client out before.
SERVER_FILES = 1024
STALLED = 1100
HEADER_TIMEOUT = 2
TIMEOUT = 10  # what a client waits for an answer


def get(base: str, path: str, **kwargs) -> httpx.Response:
    return httpx.get(base + path, timeout=TIMEOUT, trust_env=False, **kwargs)


def raw_request(base: str, head: bytes) -> bytes:
    """Send `head` as it is (no client library to escape it) and read the answer to its end."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=TIMEOUT) as sock:
        sock.sendall(head)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def status_and_body(answer: bytes) -> tuple[int, bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def _limit_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (SERVER_FILES, SERVER_FILES))


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, str]]:
    """`agrikg serve` on a home of its own (its builds change here), with the open-file limit
    at 1024, a short header timeout and the access log on."""
    own = Settings(home=tmp_path_factory.mktemp("protocol-home"), endpoint=None)
    build(own)
    env = {"AGRIKG_HEADER_TIMEOUT": str(HEADER_TIMEOUT), "AGRIKG_ACCESS_LOG": "true"}
    for base in start_api(own, extra_env=env, preexec_fn=_limit_files):
        yield own, base


def _answers(sockets: list[socket.socket], seconds: float) -> list[bytes | None]:
    """What each socket received until the server closed it; None for one still open after
    `seconds`."""
    received: dict[socket.socket, bytes] = {s: b"" for s in sockets}
    closed: set[socket.socket] = set()
    with selectors.DefaultSelector() as selector:
        for sock in sockets:
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
        deadline = time.monotonic() + seconds
        while len(closed) < len(sockets) and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=0.5):
                sock = key.fileobj
                try:
                    chunk = sock.recv(65536)
                except (ConnectionResetError, BlockingIOError):
                    chunk = b""
                received[sock] += chunk
                if not chunk:
                    closed.add(sock)
                    selector.unregister(sock)
    return [received[s] if s in closed else None for s in sockets]


def test_clients_that_never_finish_their_headers_lock_no_one_out(guarded) -> None:
    """1,100 connections that send half a request and wait, against a server allowed 1,024
    open files: a normal client is still answered, and the server closes every stalled
    connection itself (408 past the header timeout; 503 for the oldest when too many wait)."""
    _, base = guarded
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < STALLED + 200:
        if hard != resource.RLIM_INFINITY and hard < STALLED + 200:
            pytest.skip(f"this process may open only {hard} files")
        resource.setrlimit(resource.RLIMIT_NOFILE, (STALLED + 200, hard))
    url = urlsplit(base)
    stalled: list[socket.socket] = []
    try:
        for _ in range(STALLED):
            sock = socket.create_connection((url.hostname, url.port), timeout=TIMEOUT)
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slo")
            stalled.append(sock)
        answer = get(base, "/health")
        assert answer.status_code == 200 and answer.json()["status"] == "ok"

        answers = _answers(stalled, seconds=HEADER_TIMEOUT + 13)
        assert None not in answers, f"{answers.count(None)} stalled connections left open"
        statuses = Counter(status_and_body(a)[0] for a in answers if a)
        assert set(statuses) <= {408, 503}, statuses
        assert statuses[408] > 0, statuses  # the header timeout closed some
        for a in answers:
            if a:
                assert b"content-type: application/json" in a.lower()
    finally:
        for sock in stalled:
            sock.close()
    assert get(base, "/health").status_code == 200


def test_clients_that_never_finish_their_body_are_cut_off(guarded) -> None:
    """The same for a body announced and never sent: 408, the connection closed, and nothing
    in the server's log about a request whose client went away."""
    own, base = guarded
    url = urlsplit(base)
    waiting: list[socket.socket] = []
    try:
        for _ in range(50):
            sock = socket.create_connection((url.hostname, url.port), timeout=TIMEOUT)
            sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n"
                         b"Content-Type: application/sparql-query\r\n\r\nASK {")
            waiting.append(sock)
        assert get(base, "/health").status_code == 200
        answers = _answers(waiting, seconds=HEADER_TIMEOUT + 13)
    finally:
        for sock in waiting:
            sock.close()
    assert None not in answers, f"{answers.count(None)} connections left open"
    assert {status_and_body(a)[0] for a in answers} == {408}
    assert b"request body" in status_and_body(answers[0])[1]
    assert b"Traceback" not in (own.home / "api-embedded.log").read_bytes()


def test_a_slow_but_finished_request_is_answered(guarded) -> None:
    """The header timeout counts from the connection: a head sent in pieces within it is read."""
    _, base = guarded
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=TIMEOUT) as sock:
        for piece in (b"GET /health HT", b"TP/1.1\r\nHost: 127.0.0.1\r\n", b"Connection: close\r\n",
                      b"\r\n"):
            sock.sendall(piece)
            time.sleep(HEADER_TIMEOUT / 8)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert status_and_body(answer)[0] == 200


# -- the URL limit -------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [20_000, 100_000])
def test_a_url_over_the_limit_is_414_naming_post(api, size) -> None:
    """httptools gave up on a URL of 64 KiB with a plain-text 400; the limit is below that."""
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 #" + "x" * size
    status, body = status_and_body(raw_request(
        api, f"GET /sparql?query={quote(query)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()))
    assert status == 414, body
    assert "POST" in json.loads(body)["detail"]
    # The query by POST is answered, even a body larger than any request head may be.
    long_query = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 #" + "x" * 200_000
    posted = httpx.post(api + "/sparql", content=long_query, timeout=TIMEOUT,
                        trust_env=False,
                        headers={"Content-Type": "application/sparql-query",
                                 "Accept": "application/sparql-results+json"})
    assert posted.status_code == 200, posted.text


def test_a_url_under_the_limit_is_answered(api) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 #" + "x" * 10_000
    answer = get(api, "/sparql?query=" + quote(query),
                 headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text


def test_a_malformed_request_is_refused_in_json(api) -> None:
    status, body = status_and_body(raw_request(api, b"BR\x01KEN / HTTP/1.1\r\n\r\n"))
    assert status == 400 and b'"detail"' in body


# -- raw UTF-8 in the query string -----------------------------------------------------------
RU_QUERY = ('SELECT ?p WHERE { ?p <http://www.w3.org/2004/02/skos/core#prefLabel> '
            '"Пшеница"@ru }')


def test_raw_utf8_in_the_query_string_is_read_as_utf8(api, oxigraph_url) -> None:
    """Unescaped UTF-8 bytes on the wire, answered as Oxigraph's own server answers them."""
    escaped_ascii_only = "".join(c if ord(c) > 127 else quote(c, safe="") for c in RU_QUERY)
    target = b"/sparql?query=" + escaped_ascii_only.encode()
    assert "Пшеница".encode() in target
    head = (b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Accept: application/sparql-results+json\r\n\r\n")
    status, body = status_and_body(raw_request(api, head))
    assert status == 200, body
    assert b"product/wheat" in body

    backend = urlsplit(oxigraph_url)
    ox_head = head.replace(b"/sparql?", backend.path.encode() + b"?")
    ox_status, ox_body = status_and_body(raw_request(f"http://{backend.netloc}", ox_head))
    assert ox_status == 200 and b"product/wheat" in ox_body

    status, body = status_and_body(raw_request(
        api, "GET /products?q=пшен&lang=ru HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             "Connection: close\r\n\r\n".encode()))
    assert status == 200 and "Пшеница".encode() in body


# -- logs ------------------------------------------------------------------------------------
def test_request_values_in_logs_have_control_characters_escaped(guarded) -> None:
    """A client address taken from X-Forwarded-For (uvicorn trusts it from loopback) carrying
    NEL and TAB (line breaks to some log readers) stays on its own, escaped, line."""
    own, base = guarded
    marker = b"198.51.100.7"
    status, _ = status_and_body(raw_request(
        base, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: " + marker +
              b"\x85INFO: forged\tx\r\nConnection: close\r\n\r\n"))
    assert status == 200
    log = own.home / "api-embedded.log"
    until(10, lambda: marker in log.read_bytes(), 0.1)
    text = log.read_bytes()
    line = next(ln for ln in text.splitlines() if marker in ln)
    assert b"\\x85INFO: forged\\x09x" in line
    assert not re.search(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", text)


# -- HEAD -------------------------------------------------------------------------------------
EXAMPLES = {"/markets/{code}": "/markets/CN", "/products/{product_id}": "/products/wheat",
            "/dumps/{name}": "/dumps/graph.ttl", "/access": "/access?product=wheat&market=CN",
            "/analytics/matrix.{suffix}": "/analytics/matrix.csv"}


# Bodies whose length changes from one request to the next: /health's timing, /dataset's
# fresh blank node labels.
VARIABLE_LENGTH = ("/health", "/dataset")


def _get_paths(base: str) -> list[str]:
    """Every GET route in the OpenAPI document, templates filled with an example."""
    spec = get(base, "/openapi.json").json()
    paths = []
    for template, operations in spec["paths"].items():
        if "get" not in operations:
            continue
        if template in EXAMPLES:
            paths.append(EXAMPLES[template])
        elif template == "/sources/{source_id}":
            statement = get(base, EXAMPLES["/access"]).json()["sources"][0]["statement"]
            paths.append("/sources/" + statement.rsplit("/", 1)[1])
        elif "{path}" in template:
            paths.append(template.replace("{path}", "wheat"))
        else:
            assert "{" not in template, f"no example for {template}: add one to EXAMPLES"
            paths.append(template)
    return [*paths, "/docs", "/redoc", "/openapi.json"]


def test_head_answers_every_get_route_with_the_same_headers(api) -> None:
    for path in _get_paths(api):
        got = get(api, path)
        head = httpx.head(api + path, timeout=TIMEOUT, trust_env=False)
        assert head.status_code == got.status_code, (path, head.status_code, head.text)
        assert head.content == b"", path
        assert head.headers.get("content-type") == got.headers.get("content-type"), path
        if "content-length" in got.headers and path not in VARIABLE_LENGTH:
            assert head.headers.get("content-length") == got.headers["content-length"], path
    assert "HEAD" in httpx.request("DELETE", api + "/markets", trust_env=False).headers["allow"]


# -- Vary ------------------------------------------------------------------------------------
def _vary(response: httpx.Response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("vary", "").split(",") if v.strip()}


def test_vary_names_the_headers_an_answer_was_chosen_by(api) -> None:
    for path in ("/markets", "/statuses", "/access?product=wheat&market=CN", "/",
                 "/products/wheat"):
        for _ in range(2):  # the second /access is answered from the answer cache
            answer = get(api, path, headers={"Accept-Language": "ru"})
            assert "accept-language" in _vary(answer), path
    assert "Китай" in get(api, "/markets", headers={"Accept-Language": "ru"}).text
    assert "accept-language" not in _vary(get(api, "/markets?lang=ru"))
    for path in ("/sparql", "/product/wheat", "/dataset"):
        assert "accept" in _vary(get(api, path)), path
    assert "accept" in _vary(get(api, "/sparql?query=ASK%7B%7D"))


# -- conditional dumps --------------------------------------------------------------------------
def test_dumps_carry_etag_and_last_modified_and_answer_304(guarded) -> None:
    own, base = guarded
    first = get(base, "/dumps/graph.ttl")
    assert first.status_code == 200
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    build_id = get(base, "/health").json()["build"]
    assert build_id in etag and "graph.ttl" in etag
    assert get(base, "/dumps/graph.nt").headers["etag"] != etag

    again = get(base, "/dumps/graph.ttl", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert get(base, "/dumps/graph.ttl", headers={"If-None-Match": f'"x", W/{etag}'}).status_code == 304
    assert get(base, "/dumps/graph.ttl", headers={"If-None-Match": '"other"'}).status_code == 200
    assert get(base, "/dumps/graph.ttl", headers={"If-Modified-Since": modified}).status_code == 304
    earlier = formatdate(parsedate_to_datetime(modified).timestamp() - 3600, usegmt=True)
    assert get(base, "/dumps/graph.ttl", headers={"If-Modified-Since": earlier}).status_code == 200
    assert get(base, "/dumps/graph.ttl", headers={"If-Modified-Since": "yesterday"}).status_code == 200

    # A new build: a new ETag, and the old one no longer matches.
    build(own)
    until(20, lambda: get(base, "/health").json()["build"] != build_id)
    assert get(base, "/health").json()["build"] != build_id, "the new build was not served"
    renewed = get(base, "/dumps/graph.ttl", headers={"If-None-Match": etag})
    assert renewed.status_code == 200 and renewed.headers["etag"] != etag
    assert renewed.content == (current_build(own) / "graph.ttl").read_bytes()


# -- no file-system paths ----------------------------------------------------------------------
def test_no_answer_shows_a_file_system_path(guarded) -> None:
    own, base = guarded
    home = str(own.home)
    health = get(base, "/health")
    assert home not in health.text and "/" not in health.json()["build"]
    # A dump missing from the served build: 404, not a 500 naming the file.
    (current_build(own) / "graph.jsonld").unlink()
    missing = get(base, "/dumps/graph.jsonld")
    assert missing.status_code == 404 and home not in missing.text
    assert "graph.jsonld" in missing.json()["detail"]
    # Whatever an error message quotes, the server's home is not shown.
    echoed = get(base, "/access", params={"product": home + "/builds", "market": "CN"})
    assert echoed.status_code == 404 and home not in echoed.text
