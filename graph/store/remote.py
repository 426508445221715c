"""What every request to a remote SPARQL endpoint shares, whatever engine answers it: where it
goes (the endpoint URL's own query string kept, the default graph sent every time), and how an
answer is read (an engine's row cap detected, its blank-node labels and booleans made the
embedded store's). Used by the named queries (graph.store.backends.RemoteStore) and by
/sparql (graph.endpoint.query_workers.RemoteEngine), so both ask the same dataset and read
the same values. No HTTP client here: query workers import this module's callers only."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit, urlunsplit

XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
# Virtuoso (7.2) writes xsd:boolean as 1/0; SPARQL's canonical form is true/false.
_TRUTH = {"true": "true", "1": "true", "false": "false", "0": "false"}
# A label pyoxigraph (and N-Triples) accepts as it is; any other (Virtuoso's `nodeID://b10008`)
# is replaced by one made of its bytes, so two labels stay two nodes and one stays one.
_LABEL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?<!\.)")
# Headers an engine sends when it cut a result at its own row cap (Virtuoso: ResultSetMaxRows).
ROW_CAP_HEADERS = ("x-sparql-maxrows",)


@dataclass(frozen=True)
class Target:
    """The endpoint as configured: the URL without its query string, the parameters that
    query string held (e.g. `default-graph-uri`, Virtuoso's way of naming the graph agrikg
    serves), with AGRIKG_ENDPOINT_GRAPH added. httpx's `params=` replaces a URL's query string,
    so the parameters are kept apart and sent with every request."""

    url: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, endpoint: str, graph: str | None = None) -> Target:
        parts = urlsplit(endpoint)
        params = tuple(parse_qsl(parts.query, keep_blank_values=True))
        if graph and ("default-graph-uri", graph) not in params:
            params += (("default-graph-uri", graph),)
        return cls(urlunsplit(parts._replace(query="", fragment="")), params)

    @property
    def dataset(self) -> tuple[tuple[str, str], ...]:
        """The configured graph parameters (the rest of the query string is sent always)."""
        return tuple(p for p in self.params if p[0] in ("default-graph-uri", "named-graph-uri"))

    def request_params(self, default_graphs: tuple[str, ...] = (),
                       named_graphs: tuple[str, ...] = (), own_dataset: bool = False
                       ) -> list[tuple[str, str]]:
        """The parameters of one request. A request's own graph parameters replace the
        configured ones (Protocol 2.1.4), as does a query's own FROM / FROM NAMED (a
        default-graph-uri would override it; Virtuoso does so); otherwise the configured graph
        is the dataset, so counts and answers are those of the built graph, not the union of
        every graph the engine holds (Virtuoso's default graph, its system graphs included)."""
        others = [p for p in self.params if p not in self.dataset]
        if default_graphs or named_graphs:
            # An empty half (query_policy.NO_GRAPHS) is a graph no store holds: empty.
            return others + [("default-graph-uri", g) for g in default_graphs or (EMPTY,)] + \
                [("named-graph-uri", g) for g in named_graphs or (EMPTY,)]
        if own_dataset:
            return others
        return list(self.params)


# A graph no endpoint holds, for the empty half of a dataset the protocol's parameters give.
EMPTY = "urn:x-agrikg:no-graph"


def label(value: str) -> str:
    """A blank-node label every RDF tool accepts, stable for the same label."""
    value = value.removeprefix("_:")
    if _LABEL.fullmatch(value):
        return value
    return "x" + hashlib.blake2b(value.encode(), digest_size=12).hexdigest()


def value(binding: Mapping) -> str:
    """The plain value of one SPARQL JSON binding, as the embedded store gives it."""
    kind, text = binding.get("type"), binding["value"]
    if kind == "bnode":
        return label(text)
    if binding.get("datatype") == XSD_BOOLEAN:
        return _TRUTH.get(text.strip().lower(), text)
    return text


def normalised_json(body: bytes) -> bytes:
    """A SPARQL JSON result with blank-node labels and booleans made portable (see `value`),
    for pyoxigraph's parser, which rejects Virtuoso's labels. Unchanged when nothing needs it."""
    if b'"bnode"' not in body and XSD_BOOLEAN.encode() not in body:
        return body
    parsed = json.loads(body)
    for row in (parsed.get("results") or {}).get("bindings") or ():
        for binding in row.values():
            if isinstance(binding, dict) and "value" in binding:
                binding["value"] = value(binding)
    return json.dumps(parsed).encode()


def row_cap(headers: Mapping[str, str]) -> str | None:
    """The row cap an engine says it cut this result at, if it says so."""
    for name in ROW_CAP_HEADERS:
        found = headers.get(name)
        if found:
            return found
    return None
