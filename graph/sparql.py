"""What a SPARQL request may do here, and in which format it is answered.

The endpoint is read-only and never fetches anything: updates, LOAD, SERVICE, and FROM /
FROM NAMED / default-graph-uri / named-graph-uri naming a graph that is not in the store are
refused before the engine sees the query. The check is lexical (comments, strings and IRIs are
blanked first), so a keyword inside a string literal does not trip it; the engine's own parser
then rejects anything malformed.

The dataset follows the protocol: graph parameters replace the query's FROM / FROM NAMED
entirely, and the half they leave out is empty (`NO_GRAPHS`), not the store's. Relative IRIs
resolve against the endpoint's own URL (`with_base`), the base the protocol suggests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graph.results import FORMATS

_COMMENT_OR_STRING = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|#[^\n]*",
)
_IRI = re.compile(r"<([^<>\"{}|^`\\\s]*)>")
_WORD = re.compile(r"(?<![?$:@\w-])[A-Za-z_]+(?![\w:-])|<\d+>")
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_UPDATE = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY")

GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")
DEFAULT_FORMAT = {"SELECT": "json", "ASK": "json", "CONSTRUCT": "turtle", "DESCRIBE": "turtle"}

# `format=` values a browser can pass instead of an Accept header.
FORMAT_ALIASES = {
    "json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv",
    "turtle": "turtle", "ttl": "turtle", "nt": "ntriples", "ntriples": "ntriples",
    "n-triples": "ntriples", "jsonld": "jsonld", "json-ld": "jsonld", "rdfxml": "rdfxml",
    "rdf": "rdfxml", "rdf+xml": "rdfxml", "n3": "turtle",
}
# Accept media types -> format, for each kind of result.
MEDIA = {
    "solutions": {
        "application/sparql-results+json": "json", "application/json": "json",
        "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
        "text/csv": "csv", "text/tab-separated-values": "tsv",
    },
    "graph": {
        "text/turtle": "turtle", "application/x-turtle": "turtle",
        "application/n-triples": "ntriples", "text/plain": "ntriples",
        "application/ld+json": "jsonld", "application/json": "jsonld",
        "application/rdf+xml": "rdfxml", "application/xml": "rdfxml", "text/xml": "rdfxml",
    },
}


class RefusedQuery(ValueError):
    """A request this endpoint will not run; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class NotAcceptable(ValueError):
    """No format the client accepts can carry this kind of result."""


class _NoGraphs(tuple):
    """An explicitly empty list of graphs. A plain empty tuple in a QueryJob means "not given:
    the store's own"; this one is truthy, so the engine passes it on as an empty list (pyoxigraph
    then uses no graph at all, and the remote engine sends no parameter, which Oxigraph's server
    reads the same way once the other half of the dataset is given)."""

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return "NO_GRAPHS"


NO_GRAPHS: tuple[str, ...] = _NoGraphs()


def protocol_dataset(default_graphs: list[str], named_graphs: list[str]
                     ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The dataset the protocol's graph parameters describe (SPARQL 1.1 Protocol 2.1.4): when
    either is given it replaces the query's FROM / FROM NAMED as a whole, and the half not
    given is empty. With neither, ((), ()): the query's own dataset, else the store's."""
    if not default_graphs and not named_graphs:
        return (), ()
    return (tuple(default_graphs) or NO_GRAPHS), (tuple(named_graphs) or NO_GRAPHS)


@dataclass(frozen=True)
class Inspected:
    form: str
    from_graphs: tuple[str, ...] = field(default_factory=tuple)
    relative_iris: bool = False


def blank_literals(text: str) -> str:
    """The query with comments and string literals blanked, so keywords are only keywords."""
    return _COMMENT_OR_STRING.sub(lambda m: " " if m.group(0).startswith("#") else '""', text)


MAX_NESTING = 64


def _nesting(code: str) -> int:
    """How deep braces, parentheses and brackets nest (strings and IRIs already blanked)."""
    depth = deepest = 0
    for char in code:
        if char in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "})]":
            depth -= 1
    return deepest


def inspect(text: str) -> Inspected:
    """Find the query form and the graphs it names in FROM; refuse what must not run."""
    code = blank_literals(text)
    iris: list[str] = []

    def keep(match: re.Match) -> str:
        iris.append(match.group(1))
        return f"<{len(iris) - 1}>"

    code = _IRI.sub(keep, code)
    # Keywords only: not ?variables, $variables, prefixed:names or @language tags.
    words = _WORD.findall(code)
    upper = [w.upper() for w in words]
    if "SERVICE" in upper:
        raise RefusedQuery("SERVICE is refused: this endpoint never queries other servers.", 403)
    first = next((w for w in upper if w in _FORMS or w in _UPDATE), None)
    if first in _UPDATE:
        raise RefusedQuery(f"SPARQL updates ({first}) are refused: this endpoint is read-only. "
                           "Queries (SELECT, ASK, CONSTRUCT, DESCRIBE) are accepted.", 403)
    form = first
    if form is None:
        raise RefusedQuery("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE.")
    depth = _nesting(code)
    if depth > MAX_NESTING:
        raise RefusedQuery(f"the query nests groups {depth} deep; at most {MAX_NESTING} levels "
                           "are accepted (deeper nesting can overflow an engine's parser).")
    graphs = []
    for i, word in enumerate(upper):
        if word == "FROM":
            nxt = upper[i + 1: i + 3]
            ref = nxt[1] if nxt and nxt[0] == "NAMED" and len(nxt) > 1 else (nxt[0] if nxt else "")
            if ref.startswith("<"):
                graphs.append(iris[int(ref[1:-1])])
    relative = any(not _ABSOLUTE_IRI.match(iri) for iri in iris)
    return Inspected(form, tuple(graphs), relative)


def with_base(text: str, base_iri: str) -> str:
    """The query with `BASE <base_iri>` in front, so relative IRIs (`<s>`) resolve against the
    endpoint as the protocol suggests instead of failing to parse. A BASE the query declares
    itself comes later and wins. On the same line, so error line numbers stay right (columns
    on the first line shift by the length of the prefix; /sparql shifts them back)."""
    return f"BASE <{base_iri}> {text}"


def check_graphs(requested: list[str] | tuple[str, ...], available: set[str]) -> None:
    """FROM and the protocol's graph parameters may only name graphs held in the store."""
    outside = [g for g in requested if g not in available]
    if outside:
        known = ", ".join(sorted(available)) or "none besides the default graph"
        raise RefusedQuery(
            f"graph {outside[0]!r} is not in this store, and this endpoint never fetches "
            f"graphs from elsewhere. Named graphs here: {known}.", 400)


def parse_accept(header: str) -> list[tuple[str, float]]:
    ranges = []
    for part in header.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        if not media:
            continue
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q))
    return sorted(ranges, key=lambda r: -r[1])


def _format_value(value: str, kind: str) -> str | None:
    """A `format=` value: a short name (csv, turtle...) or a media type, if it fits the kind."""
    for part in value.split(","):
        part = part.strip().lower()
        name = FORMAT_ALIASES.get(part) or MEDIA[kind].get(part)
        if name == "xml" and kind == "graph":
            name = "rdfxml"
        if name and FORMATS[name].kind == kind:
            return name
    return None


def negotiate(form: str, accept: str | None, format_param: str | list[str] | None) -> str:
    """The format to answer in: `format=` first (several values allowed, as SPARQLWrapper
    sends them; the first that fits wins), then the Accept header, then the default."""
    kind = "graph" if form in GRAPH_FORMS else "solutions"
    values = [format_param] if isinstance(format_param, str) else list(format_param or [])
    values = [v for v in values if v]
    if values:
        for value in values:
            name = _format_value(value, kind)
            if name:
                return name
        choices = ", ".join(sorted({k for k, v in FORMAT_ALIASES.items()
                                    if FORMATS[v].kind == kind}))
        raise NotAcceptable(f"format={values[0]!r} cannot carry {form} results; "
                            f"use one of: {choices}")
    if not accept:
        return DEFAULT_FORMAT[form]
    for media, q in parse_accept(accept):
        if q <= 0:
            continue
        if media in ("*/*", "application/*", "text/*") or media == "application/sparql-results+*":
            return DEFAULT_FORMAT[form]
        if media in MEDIA[kind]:
            return MEDIA[kind][media]
    offered = ", ".join(dict.fromkeys(FORMATS[f].media_type for f in MEDIA[kind].values()))
    raise NotAcceptable(f"none of the accepted types ({accept}) can carry {form} results; "
                        f"this endpoint offers: {offered}")
