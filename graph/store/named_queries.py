"""Load the named SPARQL queries in graph/queries/*.rq and run them with parameters.

A parameter is written `$name` in the .rq file, which SPARQL reads as a plain variable; the
loader replaces it with a safely serialised RDF term. A parameter left out stays a variable,
so it matches anything: `products_for_market` without `$market` lists every market.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph

from graph import QUERIES_DIR
from graph.store.backends import Row, Store

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str
    summary: str
    params: tuple[str, ...]


class IRI(str):
    """A parameter value to be written as an IRI rather than a string literal."""


class BadParameter(ValueError):
    """A parameter value that is no valid RDF term (an IRI with a space or a `>`, ...)."""


class UnknownQuery(KeyError):
    """No named query of that name: the user's input, not a bug."""


class UnknownParameter(TypeError):
    """A parameter the named query does not take: the user's input, not a bug."""


@cache
def load(name: str, directory: Path = QUERIES_DIR) -> NamedQuery:
    path = directory / f"{name}.rq"
    if not path.is_file():
        raise UnknownQuery(f"no named query {name!r}; known: {', '.join(names(directory))}")
    text = path.read_text(encoding="utf-8")
    header = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
    summary = header[0] if header else name
    params = tuple(dict.fromkeys(_PARAM.findall(text)))
    return NamedQuery(name, text, summary, params)


def names(directory: Path = QUERIES_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.rq"))


def term(value: object) -> str:
    """Serialise a parameter as an N-Triples term; pyoxigraph validates and escapes it. A
    tuple or list is its terms one after the other (for a VALUES block)."""
    if isinstance(value, tuple | list):
        return " ".join(term(v) for v in value)
    if isinstance(value, IRI):
        return str(pyoxigraph.NamedNode(str(value)))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    return str(pyoxigraph.Literal(str(value)))


def render(name: str, **params: object) -> str:
    return render_query(load(name), **params)


def render_query(query: NamedQuery, **params: object) -> str:
    """A loaded query (from any directory, e.g. the benchmark's) with its parameters filled."""
    name = query.name
    unknown = set(params) - set(query.params)
    if unknown:
        raise UnknownParameter(f"query {name!r} takes {list(query.params)}, not "
                               f"{sorted(unknown)}")
    values = {}
    for key, value in params.items():
        if value is None:
            continue
        try:
            values[key] = term(value)
        except ValueError as exc:
            kind = "an IRI" if isinstance(value, IRI) else "an RDF term"
            raise BadParameter(f"parameter ${key} of query {name!r}: {str(value)!r} is not "
                               f"{kind} ({exc})") from None
    return _PARAM.sub(lambda m: values.get(m.group(1), m.group(0)), query.text)


def select(store: Store, name: str, **params: object) -> list[Row]:
    return store.select(render(name, **params))


def each(store: Store, name: str, **params: object) -> Iterator[Row]:
    """The rows of a named query one at a time where the store can stream them (the embedded
    one), else read whole: for the per-build indexes, which read tens of thousands of rows."""
    stream = getattr(store, "rows", None)
    sparql = render(name, **params)
    return stream(sparql) if stream is not None else iter(store.select(sparql))
