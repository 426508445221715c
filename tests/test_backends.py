"""The remote backend refuses results it cannot trust: a body cut short (as Oxigraph's server
sends on a timeout), an error status, or nobody listening."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from graph.errors import StoreError
from graph.store.backends import RemoteStore
from tests.helpers.servers import free_port


class _Truncating(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"http'
        self.send_response(500 if self.path == "/error" else 200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture
def bad_server():
    server = HTTPServer(("127.0.0.1", free_port()), _Truncating)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_truncated_200_is_detected(bad_server) -> None:
    with pytest.raises(StoreError, match="incomplete or invalid"):
        RemoteStore(bad_server + "/query").select("SELECT * WHERE { ?s ?p ?o }")


def test_an_error_status_is_reported(bad_server) -> None:
    with pytest.raises(StoreError, match="answered 500"):
        RemoteStore(bad_server + "/error").select("SELECT * WHERE { ?s ?p ?o }")


def test_an_unreachable_endpoint_is_reported() -> None:
    with pytest.raises(StoreError, match="unreachable"):
        RemoteStore(f"http://127.0.0.1:{free_port()}/query", timeout=2).ask("ASK {}")


def test_both_backends_answer_the_same(embedded, remote) -> None:
    query = "SELECT ?s WHERE { ?s a <https://w3id.org/agrikg/ontology#AccessRecord> } ORDER BY ?s"
    assert embedded.select(query) == remote.select(query)
    assert remote.ask("ASK { ?s ?p ?o }") is True
