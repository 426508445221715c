"""What a SPARQL request may do here, and in which format it is answered.

The endpoint is read-only and never fetches anything: updates (every form, also LOAD), SERVICE
(in any position, also SILENT or with a variable) are refused before any engine sees the
query. The decision is made on real parses, never on patterns:

1. the query is split into the grammar's own terminals (SPARQL 1.1, section 19.8: IRIREF,
   prefixed names, the four string forms with their escapes, comments only outside them),
   once with the codepoint escapes (`\\u0053`) processed first as SPARQL 1.1 says (19.2) and
   once with them left to strings and IRIs, as Oxigraph reads them; the nesting of ( { [ is
   counted on these tokens, before anything recursive runs;
2. only then rdflib's SPARQL parser (pyparsing, recursive, run in a thread with a large stack)
   parses the query; its parse tree gives the form, SERVICE patterns and the dataset, and its
   error message (with line and column) is the one a malformed query gets.

What either reading finds counts: SERVICE seen by the tokens or by the parse tree is refused.

The dataset follows the protocol: graph parameters replace the query's FROM / FROM NAMED
entirely, and the half they leave out is empty (`NO_GRAPHS`), not the store's. Relative IRIs
resolve against the endpoint's own URL (`with_base`), the base the protocol suggests. A graph
the store does not hold is an empty graph (nothing is ever fetched); the route names such
graphs in a response header (`unknown_graphs`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from urllib.parse import quote

from graph.endpoint.result_writers import FORMATS

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


# --- the grammar's terminals (SPARQL 1.1 Query Language, 19.8) ---------------------------------

_PN_CHARS_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF"
                  "\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF"
                  "\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_PN_CHARS_U = "_" + _PN_CHARS_BASE
_PN_CHARS = "\\-0-9\u00B7\u0300-\u036F\u203F-\u2040" + _PN_CHARS_U
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
_VARNAME = f"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*"
_EXPONENT = "[eE][+-]?[0-9]+"
# Escapes inside strings: ECHAR; in the reading that leaves codepoint escapes to strings and
# IRIs (Oxigraph's, and SPARQL 1.2's), also UCHAR.
_ECHAR = r"\\[tbnrf\\\"']"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"


def _terminals(uchar: bool) -> re.Pattern:
    esc = f"(?:{_ECHAR}|{_UCHAR})" if uchar else _ECHAR
    iri_char = f'(?:[^<>"{{}}|^`\\\\\\x00-\\x20]|{_UCHAR})' if uchar else \
        '[^<>"{}|^`\\\\\\x00-\\x20]'
    return re.compile("|".join([
        r"(?P<ws>[ \t\r\n]+)",
        r"(?P<comment>#[^\r\n]*)",
        f"(?P<string>'''(?:(?:'|'')?(?:[^'\\\\]|{esc}))*'''"
        f'|"""(?:(?:"|"")?(?:[^"\\\\]|{esc}))*"""'
        f"|'(?:[^'\\\\\\n\\r]|{esc})*'"
        f'|"(?:[^"\\\\\\n\\r]|{esc})*")',
        f"(?P<iri><{iri_char}*>)",
        f"(?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)",
        f"(?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
        f"(?P<var>[?$]{_VARNAME})",
        r"(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)",
        f"(?P<number>[0-9]+\\.[0-9]*{_EXPONENT}|\\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT}"
        r"|[0-9]*\.[0-9]+|[0-9]+)",
        f"(?P<word>{_PN_PREFIX})",
        r"(?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\];,.=<>!+\-*/^|?])",
    ]))


_SPEC_TERMINALS = _terminals(uchar=False)
_OXIGRAPH_TERMINALS = _terminals(uchar=True)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_OPEN, _CLOSE = "({[", ")}]"


@dataclass(frozen=True)
class Token:
    kind: str  # ws and comments are not kept
    text: str
    start: int


def expand_codepoints(text: str) -> str:
    """SPARQL 1.1, 19.2: `\\uXXXX` and `\\UXXXXXXXX` are replaced by their code points before
    the grammar is applied, so they can spell keywords and delimiters too."""

    def code_point(match: re.Match) -> str:
        value = int(match.group(1) or match.group(2), 16)
        if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
            raise RefusedQuery(f"the query does not parse: {match.group(0)} is not a Unicode "
                               f"code point ({_position(text, match.start())})")
        return chr(value)

    return _CODEPOINT.sub(code_point, text)


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


class LexError(RefusedQuery):
    """The text holds something that is none of the grammar's terminals."""

    def __init__(self, text: str, offset: int):
        found = text[offset:offset + 20].split("\n")[0]
        super().__init__(f"the query does not parse: unexpected {found!r} at "
                         f"{_position(text, offset)}")
        self.offset = offset


# The grammar's keywords that are not letters only (SPARQL 1.1, 19.8: GROUP_CONCAT, the hashes).
_NAMED_KEYWORDS = frozenset({"GROUP_CONCAT", "ENCODE_FOR_URI", "MD5", "SHA1", "SHA256", "SHA384",
                             "SHA512"})


def tokenize(text: str, terminals: re.Pattern = _SPEC_TERMINALS) -> list[Token]:
    """The query's tokens, leftmost longest terminal first (whitespace and comments dropped).
    A bare name is a keyword only when it is made of letters or is one of the grammar's few
    keywords with digits or underscores; anything else raises LexError."""
    tokens: list[Token] = []
    pos, end = 0, len(text)
    while pos < end:
        match = terminals.match(text, pos)
        if match is None:
            raise LexError(text, pos)
        kind = match.lastgroup
        value = match.group(0)
        if kind == "word":
            if not value.isascii() or not (value.isalpha() or value.upper() in _NAMED_KEYWORDS):
                raise LexError(text, pos)
            kind = "keyword"
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, value, pos))
        pos = match.end()
    return tokens


def nesting(tokens: list[Token]) -> int:
    """How deep ( { [ nest. Brackets inside an IRI count as well: an engine that reads a `<`
    as less-than (when it finds the IRI invalid) would read them as brackets."""
    depth = deepest = 0
    for token in tokens:
        if token.kind == "punct":
            if token.text in _OPEN:
                depth += 1
                deepest = max(deepest, depth)
            elif token.text in _CLOSE:
                depth -= 1
        elif token.kind == "iri":
            hidden = sum(token.text.count(c) for c in "([")
            deepest = max(deepest, depth + hidden)
    return deepest


MAX_NESTING = 64
# rdflib's parser takes about 0.1-0.2 ms per token (a 256 KB chain of 8,000 UNIONs: 11 s, with
# one parse at a time), so the number of tokens inspected is bounded too.
MAX_TOKENS = 20_000
_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
          "DescribeQuery": "DESCRIBE"}
_UPDATES = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
_SCHEME = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]*:")
SERVICE_REFUSED = "SERVICE is refused: this endpoint never queries other servers."


@dataclass(frozen=True)
class Inspected:
    """What the parse says about a query that may run."""

    form: str
    default_graphs: tuple[str, ...] = field(default_factory=tuple)  # FROM, resolved
    named_graphs: tuple[str, ...] = field(default_factory=tuple)    # FROM NAMED, resolved
    relative_iris: bool = False

    @property
    def from_graphs(self) -> tuple[str, ...]:
        return self.default_graphs + self.named_graphs


def _lex(text: str, terminals: re.Pattern) -> tuple[list[Token], LexError | None]:
    try:
        return tokenize(text, terminals), None
    except LexError as exc:
        # The tokens before the error still count for the nesting a parser would go through.
        return tokenize(text[:exc.offset], terminals), exc


def _check_tokens(tokens: list[Token], text: str) -> None:
    """Refuse on what the tokens alone say: nesting, SERVICE, an update."""
    depth = nesting(tokens)
    if depth > MAX_NESTING:
        raise RefusedQuery(f"the query nests groups {depth} deep; at most {MAX_NESTING} levels "
                           "are accepted (deeper nesting can overflow an engine's parser).")
    for token in tokens:
        # Oxigraph matches keywords without a word boundary (`SERVICE:x` is SERVICE then
        # `:x`), so a prefixed name that starts with the keyword counts as the keyword.
        if token.kind in ("keyword", "pname") and token.text[:7].upper() == "SERVICE":
            raise RefusedQuery(SERVICE_REFUSED + (
                "" if token.kind == "keyword" else
                f" ({token.text!r} at {_position(text, token.start)} reads as SERVICE to "
                "some engines; use another prefix)"), 403)
    first = _first_keyword(tokens)
    if first in _UPDATES:
        raise RefusedQuery(f"SPARQL updates ({first}) are refused: this endpoint is read-only. "
                           "Queries (SELECT, ASK, CONSTRUCT, DESCRIBE) are accepted.", 403)


def _first_keyword(tokens: list[Token]) -> str | None:
    """The first keyword after the prologue (BASE <iri>, PREFIX p: <iri>)."""
    i = 0
    while i < len(tokens):
        word = tokens[i].text.upper() if tokens[i].kind == "keyword" else None
        if word == "BASE":
            i += 2
        elif word == "PREFIX":
            i += 3
        else:
            return word
    return None


def inspect(text: str, base: str | None = None) -> Inspected:
    """Decide on the parse whether a query may run: its form and the graphs of its FROM /
    FROM NAMED (resolved against its BASE, else `base`); raise RefusedQuery otherwise."""
    key = (text, base)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            _CACHE.move_to_end(key)
    if cached is None:
        try:
            cached = _parser().submit(_inspect, text, base).result()
        except RefusedQuery as exc:
            cached = exc
        if len(text) <= CACHE_TEXT_CHARS:
            with _CACHE_LOCK:
                _CACHE[key] = cached
                while len(_CACHE) > CACHE_ENTRIES:
                    _CACHE.popitem(last=False)
    if isinstance(cached, RefusedQuery):
        # A new exception each time: re-raising the kept one would grow its traceback.
        raise RefusedQuery(str(cached), cached.status) from None
    return cached


async def inspect_async(text: str, base: str | None = None) -> Inspected:
    """`inspect` off the event loop (a long query takes the parser a while)."""
    if (text, base) in _CACHE:
        return inspect(text, base)
    return await asyncio.to_thread(inspect, text, base)


# Parsed queries are kept by text: named queries and clients ask the same ones again.
CACHE_ENTRIES = 1024
CACHE_TEXT_CHARS = 16_384
_CACHE: OrderedDict[tuple[str, str | None], Inspected | RefusedQuery] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def _inspect(text: str, base: str | None) -> Inspected:
    spec_text = expand_codepoints(text)
    tokens, lex_error = _lex(spec_text, _SPEC_TERMINALS)
    _check_tokens(tokens, spec_text)
    if len(tokens) > MAX_TOKENS:
        raise RefusedQuery(f"the query has {len(tokens)} tokens; at most {MAX_TOKENS} are "
                           "accepted (split it, or send long VALUES lists in several queries).")
    if _CODEPOINT.search(text):
        # Oxigraph does not process codepoint escapes first: read the text its way as well.
        raw_tokens, raw_error = _lex(text, _OXIGRAPH_TERMINALS)
        _check_tokens(raw_tokens, text)
        if raw_error is not None and lex_error is None:
            raise RefusedQuery(f"{raw_error} (codepoint escapes such as \\u0041 are accepted "
                               "inside strings and IRIs only)")
    parsed = _parse(text, len(tokens))
    if lex_error is not None:
        raise lex_error  # the grammar's parser accepted what is not made of its terminals
    query = parsed[1]
    form = _FORMS.get(query.name)
    if form is None or _first_keyword(tokens) != form:
        raise RefusedQuery("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE.")
    if _finds(parsed, "ServiceGraphPattern"):
        raise RefusedQuery(SERVICE_REFUSED, 403)
    default, named = _dataset(parsed, base)
    relative = any(t.kind == "iri" and not _SCHEME.match(t.text) for t in tokens)
    return Inspected(form, default, named, relative)


def _parse(text: str, tokens: int):
    """rdflib's parse of the query (in the parser thread). Its parser recurses once per level
    of a long chain too (`?a ?b ?c . ?d ?e ?f . ...`), so the recursion limit follows the
    number of tokens while it runs; the thread's stack is large enough for that."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, min(20_000 + 40 * tokens, MAX_RECURSION)))
    try:
        return parseQuery(text)
    except ParseBaseException as exc:
        found = f", found {exc.found}" if getattr(exc, "found", "") else ""
        raise RefusedQuery(f"the query does not parse: {exc.msg}{found} at line {exc.lineno}, "
                           f"column {exc.col}") from None
    except RecursionError:
        raise RefusedQuery("the query is too long for the parser to inspect (a chain of "
                           "thousands of patterns); split it into several queries") from None
    except ValueError as exc:  # rdflib's codepoint escapes and terms
        raise RefusedQuery(f"the query does not parse: {exc}") from None
    finally:
        sys.setrecursionlimit(limit)


def _finds(tree, name: str) -> bool:
    """Whether a node of this name is anywhere in rdflib's parse tree (walked without
    recursion: the tree of a long query is deep)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == name:
                return True
            stack.extend(dict.values(node))
        elif isinstance(node, ParseResults | list | tuple):
            stack.extend(node)
    return False


def _dataset(parsed, base: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """FROM and FROM NAMED, prefixed names and relative IRIs resolved as the query says."""
    from rdflib.plugins.sparql.algebra import translatePrologue

    clauses = parsed[1].datasetClause or []
    if not clauses:
        return (), ()
    try:
        prologue = translatePrologue(parsed[0], base)
        default = [str(prologue.absolutize(c.default)) for c in clauses if c.default is not None]
        named = [str(prologue.absolutize(c.named)) for c in clauses if c.named is not None]
    except Exception as exc:  # an undeclared prefix
        raise RefusedQuery(f"the query does not parse: {exc}") from None
    return tuple(dict.fromkeys(default)), tuple(dict.fromkeys(named))


# The parser thread: one (parses do not run side by side), with a stack large enough for the
# parser's recursion on the longest query accepted.
MAX_RECURSION = 400_000
PARSER_STACK_BYTES = 512 * 2**20


_PARSER: list[concurrent.futures.ThreadPoolExecutor] = []
_PARSER_LOCK = threading.Lock()


def _parser() -> concurrent.futures.ThreadPoolExecutor:
    """The parser thread, started on first use (not at import: a process that never parses a
    user's query, such as a query worker or the build, starts no thread)."""
    with _PARSER_LOCK:
        if not _PARSER:
            pool = concurrent.futures.ThreadPoolExecutor(max_workers=1,
                                                         thread_name_prefix="sparql-parse")
            previous = threading.stack_size(PARSER_STACK_BYTES)
            try:
                pool.submit(lambda: None).result()  # starts the thread with this stack size
            finally:
                threading.stack_size(previous)
            _PARSER.append(pool)
        return _PARSER[0]


def with_base(text: str, base_iri: str) -> str:
    """The query with `BASE <base_iri>` in front, so relative IRIs (`<s>`) resolve against the
    endpoint as the protocol suggests instead of failing to parse. A BASE the query declares
    itself comes later and wins. On the same line, so error line numbers stay right (columns
    on the first line shift by the length of the prefix; /sparql shifts them back)."""
    return f"BASE <{base_iri}> {text}"


def unknown_graphs(requested: list[str] | tuple[str, ...], available: set[str]) -> list[str]:
    """The graphs of a dataset the store does not hold: they are evaluated as empty graphs
    (never fetched), and the answer names them (`header_value`)."""
    return list(dict.fromkeys(g for g in requested if g not in available))


def header_value(graphs: list[str], limit: int = 4096) -> str:
    """`<iri> <iri> ...` for a response header: characters a header cannot carry are
    percent-encoded (as an IRI maps to a URI), and a long list ends with `...`."""
    out = ""
    for graph in graphs:
        item = "<" + quote(graph, safe="!#$&'()*+,/:;=?@[]~%-._") + ">"
        if len(out) + len(item) + 1 > limit:
            return out + " ..."
        out = f"{out} {item}" if out else item
    return out


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
        if media in ("*/*", "application/sparql-results+*"):
            return DEFAULT_FORMAT[form]
        if media.endswith("/*"):  # a type's wildcard: the default if of that type, else its first
            fitting = [f for f in dict.fromkeys([DEFAULT_FORMAT[form], *MEDIA[kind].values()])
                       if FORMATS[f].media_type.startswith(media[:-1])]
            if fitting:
                return fitting[0]
            continue
        if media in MEDIA[kind]:
            return MEDIA[kind][media]
    offered = ", ".join(dict.fromkeys(FORMATS[f].media_type for f in MEDIA[kind].values()))
    raise NotAcceptable(f"none of the accepted types ({accept}) can carry {form} results; "
                        f"this endpoint offers: {offered}")
