"""Convert the analyst-edited files in graph/data/ (CSV and YAML) into RDF.

Every resource minted here remembers the file and line it came from, so that a broken rule
found later by SHACL can point the analyst at the line to fix. The files: sources.yaml and
sources/<document>.yaml (documents, statements, reasons...), products.csv, markets.csv,
access.csv and records/*.csv (access records), measures.csv (the exporter's own measures),
programme.yaml. Here too, before any SHACL: every quote is checked against its document's
excerpt in documents/, every statement cited exists, and the computed values are added
(agk:reportDate of each record, agk:supersedes between the records of one pair).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pycountry
import yaml
from babel.units import format_unit
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, TIME, XSD

from graph.build.market_vocabulary import UNIONS
from graph.build.terms import (
    ACCESS_STATUS,
    AGENT,
    AGK,
    DOCUMENT,
    DURATION,
    EVENT,
    INDICATOR,
    INFERENCE,
    MARKET,
    MEASURE,
    PRODUCT,
    PROGRAMME,
    RECORD,
    ROLE,
    SCHEMA,
    STATEMENT,
    VET_STATUS,
)
from graph.errors import BuildError, Origin, Problem
from graph.namespaces import BASE, LANGUAGES, PRODUCT_SCHEME

# What an IRI cannot hold (N-Triples IRIREF): an id with one of these would mint a broken IRI.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')

DATE_TYPES = {"year": XSD.gYear, "month": XSD.gYearMonth, "day": XSD.date}
DATE_FORMS = {"year": "YYYY", "month": "YYYY-MM", "day": "YYYY-MM-DD"}
_PRECISION_RANK = {"day": 0, "month": 1, "year": 2}  # the more precise first on a tie

# The members of the Eurasian Economic Union: a measure on exports "to the EAEU" covers them.
EAEU_MEMBERS = ("AM", "BY", "KG", "KZ", "RU")

# Field -> the property an `inferred` entry of that name marks (`hs` marks a product's HS codes
# as a reading of the source's word; a record whose answer rests on that reading names it too).
INFERABLE = {
    "exporter": AGK.exporter,
    "market": AGK.market,
    "product": AGK.product,
    "status": AGK.accessStatus,
    "vet_status": AGK.veterinaryRequirementStatus,
    "as_of": AGK.asOf,
    "effective": AGK.asOf,
    "date": AGK.date,
    "published": DCTERMS.issued,
    "start": AGK.startDate,
    "end": AGK.endDate,
    "products": AGK.coversProduct,
    "markets": AGK.coversMarket,
    "quantity": AGK.quantity,
    "unit": AGK.unit,
    "hs": SKOS.notation,
    "presented_by": AGK.presentedBy,
}


@dataclass
class _Document:
    origin: Origin
    language: str
    file_name: str | None
    issued: tuple[str, str] | None  # (value, precision)


@dataclass
class _Statement:
    origin: Origin
    document: str | None
    quote: str
    language: str


@dataclass
class _Record:
    node: URIRef
    origin: Origin
    pair: tuple[str, str, str]  # exporter, market, product
    start: datetime.date | None
    statements: list[str]


@dataclass
class Curated:
    """The RDF made from graph/data/ and, for each resource, where it was written."""

    graph: Graph = field(default_factory=Graph)
    origins: dict[str, Origin] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    ids: dict[tuple[str, str], Origin] = field(default_factory=dict)  # (kind, id) -> first
    documents: dict[str, _Document] = field(default_factory=dict)
    statements: dict[str, _Statement] = field(default_factory=dict)
    records: list[_Record] = field(default_factory=list)
    cited: list[tuple[str, str, Origin]] = field(default_factory=list)  # statement, focus, where
    unread: set[str] = field(default_factory=set)  # kinds of entry some of which were unreadable
    shared: dict[tuple[str, str], object] = field(default_factory=dict)  # first definitions

    def mint(self, node: URIRef | BNode, origin: Origin) -> URIRef | BNode:
        self.origins.setdefault(str(node), origin)
        return node

    def problem(self, focus: str, origin: Origin, rule: str, message: str) -> None:
        self.problems.append(Problem(focus, origin, rule, message))


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that records each mapping's line as the key `__line__`."""


class MissingField(KeyError):
    """A field an entry of a curated file lacks: a problem of the data, unlike a KeyError of
    the loader's own dictionaries, which is a bug and is never reported as one of the data."""


class DataMapping(dict):
    """A mapping read from a curated file (a YAML mapping, a CSV row); looking up a field it
    lacks is MissingField."""

    def __missing__(self, key: str) -> Any:
        raise MissingField(key)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> DataMapping:
    mapping = DataMapping(loader.construct_mapping(node, deep=True))
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


# The kinds of value the files give; a TypeError or AttributeError about one of them (a list
# where a mapping belongs, a number where text does) is the data's shape, any other the loader's.
_DATA_VALUES = (str, int, float, bool, list, dict, type(None), datetime.date, datetime.datetime)
_DATA_TYPES = r"(?:str|int|float|bool|list|dict|NoneType|DataMapping|(?:datetime\.)?date(?:time)?)"
_DATA_TYPE_WORDS = re.compile(rf"'{_DATA_TYPES}'|\(not \"{_DATA_TYPES}\"\)|not {_DATA_TYPES}$|"
                              r"\b(?:list|string) indices must be")


def _data_fault(exc: Exception) -> bool:
    """Whether an error met while reading the curated files is the data's own shape (a problem
    to report at its file and line) rather than a bug of the loader (raised as it is)."""
    if isinstance(exc, KeyError):
        return isinstance(exc, MissingField)
    if isinstance(exc, AttributeError):
        return isinstance(getattr(exc, "obj", None), _DATA_VALUES)
    if isinstance(exc, TypeError):
        return bool(_DATA_TYPE_WORDS.search(str(exc)))
    return isinstance(exc, ValueError)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_text(path: Path, curated: Curated, rel: str) -> str | None:
    """The file as text: UTF-8, with a byte-order mark (as spreadsheet programs write) dropped.
    Bytes that are not UTF-8 are a problem at their line and column; None then."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        curated.problem(rel, Origin(rel, line), "UTF-8 encoding",
                        f"byte 0x{data[exc.start]:02X} at column {column} is not UTF-8; save "
                        "the file as UTF-8 (with or without a byte-order mark)")
        return None


def _read_yaml(path: Path, curated: Curated, rel: str) -> dict[str, Any]:
    text = _read_text(path, curated, rel)
    if text is None:
        return {}
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        curated.problem(rel, Origin(rel, line), "YAML syntax", str(exc).splitlines()[0])
        return {}
    if data is not None and not isinstance(data, dict):
        curated.problem(rel, Origin(rel, 1), "data shape",
                        "the file is not a mapping of sections (document, statements...) but a "
                        f"{type(data).__name__}")
        return {}
    return data or {}


def _read_csv(path: Path, curated: Curated, rel: str,
              required: list[str | tuple[str, ...]]) -> list[tuple[int, dict]]:
    """The rows with their line numbers. A row that repeats an earlier one exactly is reported
    with both lines and left out (a copy-paste slip, or a merge gone wrong). A required column
    given as a tuple is any one of its names (a column renamed, the old name still read)."""
    text = _read_text(path, curated, rel)
    if text is None:
        return []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c if isinstance(c, str) else " or ".join(c) for c in required
               if not (c in header if isinstance(c, str) else any(a in header for a in c))]
    if missing:
        curated.problem(rel, Origin(rel, 1), "CSV header", f"missing column(s): {', '.join(missing)}")
        return []
    rows = []
    seen: dict[tuple, int] = {}
    for row in reader:
        line = reader.line_num
        if None in row:
            curated.problem(rel, Origin(rel, line), "CSV row", "more cells than columns")
            continue
        cells = DataMapping({k: (v or "").strip() for k, v in row.items()})
        first = seen.setdefault(tuple(cells.values()), line)
        if first != line:
            curated.problem(rel, Origin(rel, line), "duplicate row",
                            f"line {line} repeats line {first} ({rel}:{first}) exactly; "
                            "delete one of them")
            continue
        rows.append((line, cells))
    return rows


SHARED_KINDS = ("agent", "role")


def _content(entry: object) -> object:
    """An entry without its line numbers, to compare two definitions of one id."""
    if isinstance(entry, dict):
        return {k: _content(v) for k, v in entry.items() if k != "__line__"}
    if isinstance(entry, list):
        return [_content(v) for v in entry]
    return entry


@contextmanager
def _entry(curated: Curated, rel: str, entry: object, kind: str) -> Iterator[None]:
    """Read one YAML entry: a missing field or a wrong shape is a problem at the entry's own
    line, and the other entries are still read, so one slip does not come out as a flood of
    problems elsewhere (every record citing a reason the file defines further on). An id used
    twice (an entry pasted twice) names both lines. An agent or role that several
    per-document files each define, word for word the same, is one agent: each file stays
    complete on its own; defined differently, it is a problem naming both."""
    if isinstance(entry, dict) and "id" in entry:
        content = _content(entry)
        first = curated.shared.setdefault((kind, str(entry["id"])), content)
        if not (kind in SHARED_KINDS and first == content
                and (kind, str(entry["id"])) in curated.ids):
            _unique(curated, kind, str(entry["id"]), Origin(rel, entry.get("__line__", 0)),
                    f"{kind} {entry['id']}")
    try:
        yield
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        if not _data_fault(exc):
            raise
        curated.unread.add(kind)
        if not isinstance(entry, dict):
            curated.problem(rel, Origin(rel), "data shape",
                            f"a {kind} entry is not a mapping of fields: {entry!r}")
            return
        origin = Origin(rel, entry.get("__line__", 0))
        focus = f"{kind} {entry['id']}" if "id" in entry else kind
        if isinstance(exc, KeyError):
            curated.problem(focus, origin, "data shape",
                            f"the {kind} lacks the required field {exc.args[0]!r}")
        else:
            curated.problem(focus, origin, "data shape",
                            f"a field of the {kind} has the wrong shape ({exc})")


def _unique(curated: Curated, kind: str, ident: str, origin: Origin, focus: str,
            rule: str = "unique id") -> bool:
    """True the first time an id of this kind is seen (in any file); a second use is a
    problem naming both places."""
    first = curated.ids.setdefault((kind, ident), origin)
    if first != origin:
        curated.problem(focus, origin, rule,
                        f"the {kind} id {ident!r} is used twice: here and at {first}")
        return False
    return True


def _cite(curated: Curated, statements: object, focus: URIRef | str, origin: Origin,
          prop: URIRef = AGK.source) -> None:
    """Link `focus` to the statements it rests on; that they exist is checked once all
    files are read (a reason may cite a statement of a file read later)."""
    ids = statements.split() if isinstance(statements, str) else list(statements or [])
    for statement in ids:
        curated.graph.add((URIRef(str(focus)), prop, STATEMENT[str(statement)]))
        curated.cited.append((str(statement), str(focus), origin))


def _split(cell: str, sep: str = ";") -> list[str]:
    return [part.strip() for part in cell.split(sep) if part.strip()]


def _labels(g: Graph, node: URIRef, prop: URIRef, texts: dict[str, Any] | None) -> None:
    for lang in LANGUAGES:
        text = (texts or {}).get(lang)
        if text:
            g.add((node, prop, Literal(str(text).strip(), lang=lang)))


def _date(curated: Curated, node: URIRef, prop: URIRef, value: str, precision: str,
          origin: Origin, precision_prop: URIRef = AGK.datePrecision) -> bool:
    """Add a date typed by its precision, so the datatype itself says how precise it is.
    False (and a problem at the line) when the date is not valid for its precision."""
    if not value:
        return False
    datatype = DATE_TYPES.get(precision)
    if datatype is None:
        curated.problem(str(node), origin, "date precision",
                        f"precision {precision!r} of {value!r} is not one of: {', '.join(DATE_TYPES)}")
        return False
    literal = Literal(value, datatype=datatype)
    if not _well_formed_date(value, precision):
        curated.problem(str(node), origin, "typed date",
                        f"{value!r} is not a valid {precision} (expected {DATE_FORMS[precision]})")
        return False
    curated.graph.add((node, prop, literal))
    curated.graph.add((node, precision_prop, Literal(precision)))
    return True


def period_start(value: str, precision: str) -> datetime.date:
    """The first day of a dated period: a year from 1 January, a month from its 1st."""
    return datetime.date.fromisoformat(
        {"year": f"{value}-01-01", "month": f"{value}-01", "day": value}[precision])


def period_end(value: str, precision: str) -> datetime.date:
    """The last day of a dated period: a year to 31 December, a month to its last day."""
    start = period_start(value, precision)
    if precision == "day":
        return start
    if precision == "year":
        return start.replace(month=12, day=31)
    following = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def _well_formed_date(value: str, precision: str) -> bool:
    """True for YYYY, YYYY-MM or a real calendar date YYYY-MM-DD, as the precision asks."""
    padded = {"year": f"{value}-01-01", "month": f"{value}-01", "day": value}[precision]
    width = {"year": 4, "month": 7, "day": 10}[precision]
    if len(value) != width:
        return False
    try:
        datetime.date.fromisoformat(padded)
    except ValueError:
        return False
    return True


def _inferences(curated: Curated, node: URIRef, spec: str | list[str], origin: Origin,
                reasons: dict[str, Any], fields: dict[str, URIRef] | None = None) -> None:
    """Attach `field=reason-id` notes: the value of `field` was inferred, for that reason.
    `fields` maps a field to the property it marks where that differs (a measure's products)."""
    entries = spec if isinstance(spec, list) else spec.split()
    known = INFERABLE | (fields or {})
    for entry in entries:
        name, _, reason_id = str(entry).partition("=")
        prop = known.get(name.strip())
        if prop is None or not reason_id:
            curated.problem(str(node), origin, "inferred",
                            f"{entry!r} is not FIELD=REASON with FIELD one of: {', '.join(known)}")
            continue
        if reason_id not in reasons:
            curated.problem(str(node), origin, "inferred",
                            f"reason {reason_id!r} is not defined under `inferences` in "
                            "sources.yaml or sources/*.yaml")
            continue
        inference = INFERENCE[reason_id]
        curated.graph.add((node, AGK.inference, inference))
        curated.graph.add((inference, AGK.inferredProperty, prop))


def load_products(curated: Curated, path: Path, rel: str,
                  reasons: dict[str, Any] | None = None) -> None:
    g = curated.graph
    scheme = URIRef(PRODUCT_SCHEME)
    g.add((scheme, RDF.type, AGK.ProductScheme))
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    _labels(g, scheme, SKOS.prefLabel, {"kk": "Өнімдер", "ru": "Продукция", "en": "Products"})
    g.add((scheme, SKOS.definition, Literal(
        "Agricultural products and product groups, in a hierarchy by skos:broader, "
        "classified by HS 2022 codes.", lang="en")))
    columns = ["id", "broader", "hs", "label_kk", "label_ru", "label_en", "alt_kk", "alt_ru",
               "alt_en", "definition_en", "scope_note_en"]
    for line, row in _read_csv(path, curated, rel, columns):
        if not _unique(curated, "product", row["id"], Origin(rel, line), str(PRODUCT[row["id"]]),
                       "unique product id"):
            continue  # two rows for one product (two curators appending the same one)
        node = curated.mint(PRODUCT[row["id"]], Origin(rel, line))
        g.add((node, RDF.type, AGK.Product))
        g.add((node, SKOS.inScheme, scheme))
        for lang in LANGUAGES:
            if row[f"label_{lang}"]:
                g.add((node, SKOS.prefLabel, Literal(row[f"label_{lang}"], lang=lang)))
            for alt in _split(row[f"alt_{lang}"]):
                g.add((node, SKOS.altLabel, Literal(alt, lang=lang)))
        for code in row["hs"].split():
            g.add((node, SKOS.notation, Literal(code, datatype=AGK.HSCode)))
        broader = row["broader"].split()
        for parent in broader:
            g.add((node, SKOS.broader, PRODUCT[parent]))
        if not broader:
            g.add((node, SKOS.topConceptOf, scheme))
            g.add((scheme, SKOS.hasTopConcept, node))
        if row["definition_en"]:
            g.add((node, SKOS.definition, Literal(row["definition_en"], lang="en")))
        if row["scope_note_en"]:
            g.add((node, SKOS.scopeNote, Literal(row["scope_note_en"], lang="en")))
        if row.get("inferred"):  # an optional column: the HS scope read into the source's word
            _inferences(curated, node, row["inferred"], Origin(rel, line), reasons or {})


def load_market_extras(curated: Curated, path: Path, rel: str) -> None:
    """Curated additions to the ISO 3166 markets: Wikidata links and the everyday short and
    historical names people use (USA, Белоруссия, Burma), as altLabels.

    A name given to two markets (Congo) is ambiguous on purpose: the resolver then lists both
    rather than pick one; a name given to one (Korea) is its common meaning."""
    g = curated.graph
    seen: set[str] = set()
    for line, row in _read_csv(path, curated, rel, ["code", "wikidata", "alt_kk", "alt_ru", "alt_en"]):
        origin = Origin(rel, line)
        if pycountry.countries.get(alpha_2=row["code"]) is None and row["code"] not in UNIONS:
            curated.problem(str(MARKET[row["code"]]), origin, "market code",
                            f"{row['code']!r} is not an ISO 3166-1 alpha-2 code (nor a union: "
                            f"{', '.join(UNIONS)})")
            continue
        if row["code"] in seen:
            curated.problem(str(MARKET[row["code"]]), origin, "market code",
                            f"{row['code']!r} has a second row; give all its names on one")
            continue
        seen.add(row["code"])
        node = curated.mint(MARKET[row["code"]], origin)
        if row["wikidata"]:
            g.add((node, SCHEMA.sameAs, URIRef(f"http://www.wikidata.org/entity/{row['wikidata']}")))
        for lang in LANGUAGES:
            for alt in _split(row[f"alt_{lang}"]):
                g.add((node, SKOS.altLabel, Literal(alt, lang=lang)))


RECORD_COLUMNS = ["id", "exporter", "market", "product", "status", "vet_status",
                  ("effective", "as_of"), ("effective_precision", "as_of_precision"),
                  ("statements", "statement"), "inferred"]


def _load_rows(curated: Curated, path: Path, rel: str, columns: Any,
               read_row: Callable[[Curated, dict[str, str], Origin, dict[str, Any]], None],
               namespace: Any, kind: str, reasons: dict[str, Any]) -> None:
    """Each row of a CSV file through `read_row`; a row the data breaks (not a bug of the
    loader: `_data_fault`) is a problem at its file and line, and the other rows still load."""
    for line, row in _read_csv(path, curated, rel, columns):
        origin = Origin(rel, line)
        try:
            read_row(curated, row, origin, reasons)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            if not _data_fault(exc):
                raise
            curated.problem(str(namespace[row.get("id", "")]), origin, "data shape",
                            f"the {kind} could not be read ({exc!r})")


def load_records(curated: Curated, path: Path, rel: str, reasons: dict[str, Any]) -> None:
    """Access records: access.csv and records/*.csv. The columns `effective`,
    `effective_precision`, `statements` (several ids, space-separated) are also read under
    their first names `as_of`, `as_of_precision`, `statement`."""
    _load_rows(curated, path, rel, RECORD_COLUMNS, _record, RECORD, "record", reasons)


def _record(curated: Curated, row: dict[str, str], origin: Origin, reasons: dict[str, Any]) -> None:
    g = curated.graph
    effective = row.get("effective", row.get("as_of", ""))
    precision = row.get("effective_precision", row.get("as_of_precision", "")) or "day"
    statements = row.get("statements", row.get("statement", ""))
    node = RECORD[row["id"]]
    if not _unique(curated, "record", row["id"], origin, str(node), "unique record id"):
        return
    curated.mint(node, origin)
    g.add((node, RDF.type, AGK.AccessRecord))
    if row["exporter"]:
        g.add((node, AGK.exporter, MARKET[row["exporter"]]))
    if row["market"]:
        g.add((node, AGK.market, MARKET[row["market"]]))
    if row["product"]:
        g.add((node, AGK.product, PRODUCT[row["product"]]))
    if row["status"]:
        g.add((node, AGK.accessStatus, ACCESS_STATUS[row["status"]]))
    if row["vet_status"]:
        g.add((node, AGK.veterinaryRequirementStatus, VET_STATUS[row["vet_status"]]))
    _cite(curated, statements, node, origin)
    start = None
    if not effective:
        curated.problem(str(node), origin, "effective date",
                        "the record has no effective date (column `effective`): the date the "
                        "status took effect, else the report's date marked inferred")
    elif _date(curated, node, AGK.asOf, effective, precision, origin):
        start = period_start(effective, precision)
    if row["inferred"]:
        _inferences(curated, node, row["inferred"], origin, reasons)
    if row.get("note"):
        g.add((node, SKOS.note, Literal(row["note"], lang="en")))
    curated.records.append(_Record(node, origin, (row["exporter"], row["market"], row["product"]),
                                   start, statements.split()))


MEASURE_COLUMNS = ["id", "exporter", "kind", "products", "markets", "start", "start_precision",
                   "end", "end_precision", "quantity", "unit", "statements", "inferred"]
_MEASURE_KINDS = {"ban": AGK.ExportBan, "quota": AGK.ExportQuota}
_MEASURE_FIELDS = {"product": AGK.coversProduct, "market": AGK.coversMarket}
# The measure's label, built from its kind and products: "name" is one product, "names" several.
_MEASURE_LABELS = {
    ("ban", "en"): "Export ban: {names}", ("quota", "en"): "Export quota: {names}",
    ("ban", "ru"): "Запрет на экспорт продукции {names}",
    ("quota", "ru"): "Квота на экспорт продукции {names}",
    ("ban", "kk"): "{names} {product_kk} экспорттауға тыйым",
    ("quota", "kk"): "{names} {product_kk} экспорттау квотасы",
}


def load_measures(curated: Curated, path: Path, rel: str, reasons: dict[str, Any]) -> None:
    """The exporter's own measures (measures.csv): export bans and quotas, their products
    and markets (or ALL), from and to dates, quantities, and the statements they rest on."""
    _load_rows(curated, path, rel, MEASURE_COLUMNS, _measure, MEASURE, "measure", reasons)


def _measure(curated: Curated, row: dict[str, str], origin: Origin, reasons: dict[str, Any]) -> None:
    g = curated.graph
    node = MEASURE[row["id"]]
    if not _unique(curated, "measure", row["id"], origin, str(node), "unique measure id"):
        return
    curated.mint(node, origin)
    g.add((node, RDF.type, AGK.ExportMeasure))
    kind = _MEASURE_KINDS.get(row["kind"])
    if kind is None:
        curated.problem(str(node), origin, "measure kind",
                        f"kind {row['kind']!r} is not one of: {', '.join(_MEASURE_KINDS)}")
    else:
        g.add((node, RDF.type, kind))
    if row["exporter"]:
        g.add((node, AGK.exporter, MARKET[row["exporter"]]))
    products = row["products"].split()
    for product in products:
        g.add((node, AGK.coversProduct, PRODUCT[product]))
    markets = row["markets"].split()
    if markets == ["ALL"]:
        g.add((node, AGK.allMarkets, Literal(True)))
    elif not markets or "ALL" in markets:
        curated.problem(str(node), origin, "measure markets",
                        f"markets {row['markets']!r}: give ALL, or market codes separated by "
                        "spaces (ISO 3166-1 alpha-2, or EAEU for the union)")
    else:
        for code in markets:
            members = [m for m in EAEU_MEMBERS if m != row["exporter"]] if code == "EAEU" else [code]
            for member in members:
                g.add((node, AGK.coversMarket, MARKET[member]))
    started = _date(curated, node, AGK.startDate, row["start"], row["start_precision"] or "day",
                    origin, AGK.startPrecision)
    if not row["start"]:
        curated.problem(str(node), origin, "start date", "the measure has no start date")
    if row["end"]:
        ended = _date(curated, node, AGK.endDate, row["end"], row["end_precision"] or "day",
                      origin, AGK.endPrecision)
        if started and ended and period_end(row["end"], row["end_precision"] or "day") \
                < period_start(row["start"], row["start_precision"] or "day"):
            curated.problem(str(node), origin, "measure period",
                            f"the end {row['end']} is before the start {row['start']}")
    if row["kind"] == "quota" or row["quantity"] or row["unit"]:
        _quantity(curated, node, row, origin)
    _cite(curated, row["statements"], node, origin)
    if row["inferred"]:
        _inferences(curated, node, row["inferred"], origin, reasons, _MEASURE_FIELDS)
    if row.get("note"):
        g.add((node, SKOS.note, Literal(row["note"], lang="en")))
    if kind is not None:
        _measure_labels(g, node, row["kind"], products)


def _quantity(curated: Curated, node: URIRef, row: dict[str, str], origin: Origin) -> None:
    if row["kind"] != "quota":
        curated.problem(str(node), origin, "measure quantity",
                        f"a {row['kind']} has no quantity or unit (a limit on quantity is a quota)")
        return
    if not row["quantity"] or not row["unit"]:
        curated.problem(str(node), origin, "measure quantity",
                        "a quota gives its quantity and its unit (e.g. 13000,t or 60000,head)")
        return
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", row["quantity"]):
        curated.problem(str(node), origin, "measure quantity",
                        f"quantity {row['quantity']!r} is not a number (digits, a '.' for decimals)")
        return
    curated.graph.add((node, AGK.quantity, Literal(row["quantity"], datatype=XSD.decimal)))
    curated.graph.add((node, AGK.unit, Literal(row["unit"])))


def _measure_labels(g: Graph, node: URIRef, kind: str, products: list[str]) -> None:
    """A label per language from the kind and the products' labels (products are read first);
    names stay undeclined in «», the head noun takes the case."""
    for lang in LANGUAGES:
        names = []
        for product in products:
            label = next((str(o) for o in g.objects(PRODUCT[product], SKOS.prefLabel)
                          if o.language == lang), product)
            names.append(label if lang == "en" else f"«{label}»")
        text = _MEASURE_LABELS[(kind, lang)].format(
            names=", ".join(names), product_kk="өнімін" if len(names) == 1 else "өнімдерін")
        g.add((node, RDFS.label, Literal(text, lang=lang)))


def _reasons(curated: Curated, data: dict[str, Any], rel: str, reasons: dict[str, Any]) -> None:
    """Collect a file's inference reasons; an id defined in two files names both places."""
    for reason_id, texts in (data.get("inferences") or {}).items():
        if reason_id == "__line__":
            continue
        origin = Origin(rel, texts.get("__line__", 0) if isinstance(texts, dict) else 0)
        if _unique(curated, "reason", str(reason_id), origin, str(INFERENCE[reason_id])):
            reasons[reason_id] = texts if isinstance(texts, dict) else {}
            if not isinstance(texts, dict):
                curated.problem(str(INFERENCE[reason_id]), origin, "data shape",
                                "a reason is a mapping of en, ru, kk texts and `sources`")


def load_sources(curated: Curated, path: Path, rel: str,
                 reasons: dict[str, Any] | None = None,
                 data: dict[str, Any] | None = None) -> dict[str, Any]:
    """Documents, meetings, agents, roles, inference reasons, statements, trade indicators:
    sources.yaml (a list of `documents`) or one sources/<document>.yaml (one `document`,
    whose statements are printed in it). `reasons` are those of every file, read first."""
    g = curated.graph
    if data is None:
        data = _read_yaml(path, curated, rel)
    if reasons is None:
        reasons = {}
        _reasons(curated, data, rel, reasons)
    own = {k for k in (data.get("inferences") or {}) if k != "__line__"}

    for reason_id in own:
        texts = reasons.get(reason_id)
        if not isinstance(texts, dict) or curated.ids.get(("reason", str(reason_id))) != \
                Origin(rel, texts.get("__line__", 0)):
            continue
        node = curated.mint(INFERENCE[reason_id], Origin(rel, texts.get("__line__", 0)))
        g.add((node, RDF.type, AGK.Inference))
        _labels(g, node, AGK.reason, texts)
        _cite(curated, texts.get("sources") or [], node, Origin(rel, texts.get("__line__", 0)))

    single = data.get("document")
    documents = [single] if single is not None else []
    documents += data.get("documents") or []
    if single is not None and "documents" in data:
        curated.problem(rel, Origin(rel, data.get("__line__", 1)), "data shape",
                        "a file has either one `document` or a list of `documents`, not both")
    for doc in documents:
        with _entry(curated, rel, doc, "document"):
            _document(curated, doc, rel, reasons, per_file=single is not None, path=path)
    default_document = single.get("id") if isinstance(single, dict) else None

    for agent in data.get("agents") or []:
        with _entry(curated, rel, agent, "agent"):
            node = curated.mint(AGENT[agent["id"]], Origin(rel, agent["__line__"]))
            g.add((node, RDF.type, PROV.Agent))
            if agent.get("type") == "person":
                g.add((node, RDF.type, PROV.Person))
                g.add((node, RDF.type, FOAF.Person))
            else:
                g.add((node, RDF.type, PROV.Organization))
                g.add((node, RDF.type, FOAF.Organization))
            if agent.get("member_of"):
                g.add((node, SCHEMA.memberOf, AGENT[agent["member_of"]]))
            _labels(g, node, RDFS.label, agent.get("label"))

    for role in data.get("roles") or []:
        with _entry(curated, rel, role, "role"):
            node = curated.mint(ROLE[role["id"]], Origin(rel, role["__line__"]))
            g.add((node, RDF.type, PROV.Role))
            _labels(g, node, RDFS.label, role.get("label"))

    for meeting in data.get("meetings") or []:
        with _entry(curated, rel, meeting, "meeting"):
            origin = Origin(rel, meeting["__line__"])
            node = curated.mint(EVENT[meeting["id"]], origin)
            g.add((node, RDF.type, AGK.Meeting))
            _labels(g, node, RDFS.label, meeting.get("label"))
            _labels(g, node, SKOS.definition, meeting.get("definition"))
            _date(curated, node, AGK.date, str(meeting.get("date", "")),
                  meeting.get("date_precision", "day"), origin)
            if meeting.get("organiser"):
                g.add((node, PROV.wasAssociatedWith, AGENT[meeting["organiser"]]))
            if meeting.get("inferred"):
                _inferences(curated, node, meeting["inferred"], origin, reasons)

    for st in data.get("statements") or []:
        with _entry(curated, rel, st, "statement"):
            _statement(curated, st, rel, default_document)

    for ind in data.get("trade_indicators") or []:
        with _entry(curated, rel, ind, "trade indicator"):
            origin = Origin(rel, ind["__line__"])
            node = curated.mint(INDICATOR[ind["id"]], origin)
            g.add((node, RDF.type, AGK.TradeIndicator))
            g.add((node, AGK.exporter, MARKET[ind["exporter"]]))
            g.add((node, AGK.market, MARKET[ind["market"]]))
            g.add((node, AGK.changePercent, Literal(str(ind["change_percent"]), datatype=XSD.decimal)))
            if ind.get("period") is not None:
                g.add((node, AGK.period, _duration(curated, str(ind["period"]), origin)))
            _cite(curated, [ind["statement"]], node, origin)
            _labels(g, node, AGK.productScope, ind.get("product_scope"))
            _labels(g, node, RDFS.label, ind.get("label"))
            _labels(g, node, SKOS.definition, ind.get("definition"))
    return reasons


_DURATION = re.compile(r"^P([1-9][0-9]*)([YMWD])$")
_TIME_UNITS = {"Y": (TIME.unitYear, "year"), "M": (TIME.unitMonth, "month"),
               "W": (TIME.unitWeek, "week"), "D": (TIME.unitDay, "day")}


def _duration(curated: Curated, text: str, origin: Origin) -> URIRef:
    """A length written as ISO 8601 (P9M) as an OWL-Time duration node, duration/P9M: a number
    and a unit, which every engine keeps (Virtuoso turns an xsd:duration literal into "9")."""
    match = _DURATION.match(text)
    node = DURATION[text]
    if match is None:
        curated.problem(str(node), origin, "duration",
                        f"period {text!r} is not one number and one unit in ISO 8601 "
                        "(accepted: PnY, PnM, PnW or PnD, such as P9M)")
        return node
    g = curated.graph
    unit, cldr = _TIME_UNITS[match[2]]
    g.add((node, RDF.type, TIME.Duration))
    g.add((node, TIME.numericDuration, Literal(match[1], datatype=XSD.decimal)))
    g.add((node, TIME.unitType, unit))
    for lang in LANGUAGES:  # "9 ай", "9 месяцев", "9 months": CLDR's plural forms
        g.add((node, RDFS.label, Literal(format_unit(int(match[1]), f"duration-{cldr}",
                                                     length="long", locale=lang), lang=lang)))
    return node


_URL = re.compile(r"https?://[^\x00-\x20<>\"{}|^`\\]+")


def _document(curated: Curated, doc: dict[str, Any], rel: str, reasons: dict[str, Any],
              per_file: bool, path: Path) -> None:
    """One source document. In a per-document file the URL, publisher, language, publication
    date and excerpt file are required; the file is named after the document."""
    g = curated.graph
    origin = Origin(rel, doc["__line__"])
    node = curated.mint(DOCUMENT[doc["id"]], origin)
    g.add((node, RDF.type, AGK.SourceDocument))
    g.add((node, RDF.type, SCHEMA.NewsArticle))
    if per_file:
        missing = [key for key in ("file_name", "url", "publisher", "language", "published",
                                   "published_precision", "label") if doc.get(key) in (None, "")]
        if missing:
            curated.problem(str(node), origin, "data shape",
                            f"the document lacks the required field(s): {', '.join(missing)}")
        if path.stem != str(doc["id"]):
            curated.problem(str(node), origin, "document file",
                            f"the file is named {path.name} but holds the document "
                            f"{doc['id']!r}: name it {doc['id']}.yaml")
    language = str(doc.get("language", "kk"))
    if language not in LANGUAGES:
        curated.problem(str(node), origin, "document language",
                        f"language {language!r} is not one of: {', '.join(LANGUAGES)}")
    g.add((node, DCTERMS.language, Literal(language)))
    if doc.get("file_name"):
        g.add((node, AGK.fileName, Literal(str(doc["file_name"]))))
    if doc.get("url"):
        url = str(doc["url"]).strip()
        if _URL.fullmatch(url):
            g.add((node, SCHEMA.url, URIRef(url)))
        else:
            curated.problem(str(node), origin, "document URL",
                            f"{url!r} is not an http(s) URL (no spaces, quotes or <>; "
                            "percent-encode them)")
    if doc.get("publisher"):
        g.add((node, DCTERMS.publisher, Literal(str(doc["publisher"]).strip())))
    issued = None
    published = doc.get("published")
    if published not in (None, ""):
        precision = str(doc.get("published_precision") or "day")
        if _date(curated, node, DCTERMS.issued, str(published), precision, origin):
            issued = (str(published), precision)
    if doc.get("inferred"):
        _inferences(curated, node, doc["inferred"], origin, reasons)
    _labels(g, node, RDFS.label, doc.get("label"))
    _labels(g, node, SKOS.definition, doc.get("definition"))
    curated.documents[str(doc["id"])] = _Document(
        origin, language, str(doc["file_name"]) if doc.get("file_name") else None, issued)


def _statement(curated: Curated, st: dict[str, Any], rel: str, default_document: str | None) -> None:
    """A statement: `quote` in its document's language (or `quote_kk`, the first form),
    translations into the other two, speaker and role when the document attributes it."""
    g = curated.graph
    origin = Origin(rel, st["__line__"])
    node = curated.mint(STATEMENT[st["id"]], origin)
    g.add((node, RDF.type, AGK.Statement))
    document = st.get("document") or default_document
    language = curated.documents[document].language if document in curated.documents else None
    if "quote_kk" in st:
        quote, language = st["quote_kk"], "kk"
    else:  # none at all: the shapes report the missing quote at this line
        quote = st.get("quote")
    quote = str(quote or "").strip()
    if language is None:
        curated.problem(str(node), origin, "statement document",
                        f"the statement's document {document!r} is not defined (give `document:` "
                        "with the id of a document in this file or sources.yaml)")
        language = "kk"
    if quote:
        g.add((node, AGK.quote, Literal(quote, lang=language)))
    translations = {k: v for k, v in (st.get("translation") or {}).items() if k != "__line__"}
    for lang, text in translations.items():
        g.add((node, AGK.translation, Literal(str(text).strip(), lang=lang)))
    wanted = set(LANGUAGES) - {language}
    if set(translations) != wanted:
        curated.problem(str(node), origin, "translations",
                        f"the quote is in {language}: give translations into exactly "
                        f"{' and '.join(sorted(wanted))} "
                        f"(found: {', '.join(sorted(translations)) or 'none'})")
    g.add((node, AGK.directSpeech, Literal(bool(st.get("direct_speech")))))
    if st.get("speaker"):
        speaker = AGENT[st["speaker"]]
        g.add((node, PROV.wasAttributedTo, speaker))
        attribution = curated.mint(BNode(), origin)
        g.add((node, PROV.qualifiedAttribution, attribution))
        g.add((attribution, RDF.type, PROV.Attribution))
        g.add((attribution, PROV.agent, speaker))
        if st.get("role"):
            g.add((attribution, PROV.hadRole, ROLE[st["role"]]))
    if st.get("meeting"):
        g.add((node, PROV.wasGeneratedBy, EVENT[st["meeting"]]))
    if document:
        g.add((node, PROV.hadPrimarySource, DOCUMENT[document]))
    if st.get("note"):
        g.add((node, SKOS.note, Literal(" ".join(str(st["note"]).split()), lang="en")))
    _statement_labels(g, node, {language: quote} | translations)
    curated.statements[str(st["id"])] = _Statement(origin, document, quote, language)


def _statement_labels(g: Graph, node: URIRef, texts: dict[str, Any]) -> None:
    """A short label per language: the opening words of the quote or its translation."""
    for lang in LANGUAGES:
        text = " ".join(str(texts.get(lang, "")).split())
        if text:
            short = text if len(text) <= 80 else text[:77].rsplit(" ", 1)[0] + "..."
            g.add((node, RDFS.label, Literal(short, lang=lang)))


def load_programmes(curated: Curated, path: Path, rel: str,
                    reasons: dict[str, Any] | None = None) -> None:
    g = curated.graph
    data = _read_yaml(path, curated, rel)
    for prog in data.get("programmes") or []:
        with _entry(curated, rel, prog, "programme"):
            origin = Origin(rel, prog["__line__"])
            node = curated.mint(PROGRAMME[prog["id"]], origin)
            g.add((node, RDF.type, AGK.Programme))
            _labels(g, node, RDFS.label, prog.get("label"))
            _labels(g, node, SKOS.definition, prog.get("definition"))
            g.add((node, AGK.periodStart, Literal(str(prog["period_start"]), datatype=XSD.gYear)))
            g.add((node, AGK.periodEnd, Literal(str(prog["period_end"]), datatype=XSD.gYear)))
            g.add((node, AGK.presentedBy, AGENT[prog["presented_by"]]))
            g.add((node, AGK.presentedAt, EVENT[prog["presented_at"]]))
            if prog.get("inferred"):
                _inferences(curated, node, prog["inferred"], origin, reasons or {})
            _cite(curated, prog.get("sources") or [], node, origin)
            goal = prog.get("goal") or {}
            _labels(g, node, AGK.goal, goal)
            if goal.get("source"):
                _cite(curated, [goal["source"]], node, origin)
            parts = [("directions", "direction", AGK.direction, AGK.PolicyDirection),
                     ("features", "feature", AGK.feature, AGK.ProgrammeFeature),
                     ("targets", "target", AGK.targetIndicator, AGK.TargetIndicator),
                     ("priority_groups", "priority-group", AGK.priorityGroup, AGK.PriorityGroup)]
            for key, slug, prop, cls in parts:
                section = prog.get(key) or {}
                for order, item in enumerate(section.get("items") or [], start=1):
                    item_node = curated.mint(URIRef(f"{node}/{slug}/{order}"),
                                             Origin(rel, item["__line__"]))
                    g.add((node, prop, item_node))
                    g.add((item_node, RDF.type, cls))
                    g.add((item_node, AGK.order, Literal(order)))
                    _labels(g, item_node, RDFS.label, item)
                    _labels(g, item_node, SKOS.definition, item.get("definition"))
                    if section.get("source"):
                        _cite(curated, [section["source"]], item_node,
                              Origin(rel, item["__line__"]))
                    _labels(g, item_node, SKOS.scopeNote, section.get("note"))
                    if key == "targets":
                        g.add((item_node, AGK.targetValue,
                               Literal(str(item["value"]), datatype=XSD.decimal)))
                        g.add((item_node, AGK.targetUnit, Literal(item["unit"])))
                        if section.get("year"):
                            g.add((item_node, AGK.targetYear,
                                   Literal(str(section["year"]), datatype=XSD.gYear)))


def _display(path: Path) -> str:
    """A path as the analyst knows it: relative to the project when it lies inside it."""
    from graph import PROJECT_DIR

    try:
        return str(path.resolve().relative_to(PROJECT_DIR))
    except ValueError:
        return str(path)


def load_curated(data_dir: Path) -> Curated:
    """Read every curated file; raise BuildError listing each problem with its file and line."""
    curated = Curated()
    # rdflib warns on stderr about each IRI it cannot write; they are reported below instead,
    # with their file and line.
    rdflib_terms = logging.getLogger("rdflib.term")
    level = rdflib_terms.level
    rdflib_terms.setLevel(logging.ERROR)
    try:
        _load_all(curated, data_dir)
    finally:
        rdflib_terms.setLevel(level)
    _identifier_problems(curated)
    if curated.problems:
        raise BuildError(curated.problems)
    return curated


def _identifier_problems(curated: Curated) -> None:
    """An id (or a reference to one) that cannot be part of an IRI, at the line it is on."""
    seen: set[tuple[str, str]] = set()
    for subject, _, obj in curated.graph:
        for term in (subject, obj):
            if isinstance(term, URIRef) and _NOT_IN_IRI.search(term) \
                    and (str(subject), str(term)) not in seen:
                seen.add((str(subject), str(term)))
                curated.problem(str(subject), curated.origins.get(str(subject)), "identifier",
                                f"{term.removeprefix(BASE)!r} cannot be part of an IRI: ids are "
                                "letters, digits, '.', '_' and '-' (no spaces, quotes or <>)")


def _load_all(curated: Curated, data_dir: Path) -> None:
    """Every file in its order: sources first (their reasons and statements are cited by the
    rest), products before the measures whose labels name them; then the checks across files
    and the values computed from them."""
    yaml_files = [data_dir / "sources.yaml", *sorted((data_dir / "sources").glob("*.yaml"))]
    parsed: list[tuple[Path, str, dict[str, Any]]] = []
    reasons: dict[str, Any] = {}
    for path in yaml_files:
        rel = _display(path)
        if not path.exists():
            curated.problem(rel, Origin(rel), "data file", "the file is missing")
            continue
        data = _read_yaml(path, curated, rel)  # a file that is no mapping is a problem there
        parsed.append((path, rel, data))
        _reasons(curated, data, rel, reasons)
    for path, rel, data in parsed:
        _guarded(curated, rel, load_sources, path, rel, reasons, data)

    record_files = [data_dir / "access.csv", *sorted((data_dir / "records").glob("*.csv"))]
    if not any(path.exists() for path in record_files):
        rel = _display(data_dir / "records")
        curated.problem(rel, Origin(rel), "data file",
                        "no access records: records/*.csv (or access.csv) is missing")
    steps: list[tuple[Path, Any, bool]] = [
        (data_dir / "products.csv", load_products, True),
        (data_dir / "markets.csv", load_market_extras, True),
        *((path, load_records, False) for path in record_files),
        (data_dir / "measures.csv", load_measures, False),
        (data_dir / "programme.yaml", load_programmes, False)]
    for path, loader, required in steps:
        rel = _display(path)
        if not path.exists():
            if required:
                curated.problem(rel, Origin(rel), "data file", "the file is missing")
            continue
        if loader is load_market_extras:
            _guarded(curated, rel, loader, path, rel)
        else:
            _guarded(curated, rel, loader, path, rel, reasons)
    _check_citations(curated)
    _check_quotes(curated, data_dir / "documents")
    _report_dates(curated)
    _supersedes(curated)


def _guarded(curated: Curated, rel: str, load: Any, *args: Any) -> None:
    """Run one file's loader: a slip of the data it did not catch at an entry's line is still
    a problem of that file, never a traceback; a bug of the loader is raised as one."""
    try:
        load(curated, *args)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        if not _data_fault(exc):
            raise
        curated.problem(rel, Origin(rel), "data shape",
                        f"the file could not be read: an entry lacks a required field or has the "
                        f"wrong shape ({exc!r})")


def _check_citations(curated: Curated) -> None:
    """Every statement a record, measure, reason, indicator or programme cites exists. Not
    checked when a statement entry could not be read: its citations would only repeat that."""
    if "statement" in curated.unread:
        return
    for statement, focus, origin in curated.cited:
        if statement not in curated.statements:
            curated.problem(focus, origin, "statement cited",
                            f"statement {statement!r} is not defined in sources.yaml or "
                            "sources/*.yaml")


def fold_whitespace(text: str) -> str:
    """Runs of whitespace (line breaks, tabs, no-break spaces) folded to one space: how a
    quote is compared with its document."""
    return " ".join(text.split())


def _check_quotes(curated: Curated, documents_dir: Path) -> None:
    """Every quote is in its document's excerpt file, whitespace folded; every excerpt file
    named exists. A quote that is not there is a problem at its statement's line, saying
    how far it matches."""
    texts: dict[str, str | None] = {}
    for doc_id, doc in curated.documents.items():
        if doc.file_name is None:
            curated.problem(str(DOCUMENT[doc_id]), doc.origin, "document file",
                            "the document names no excerpt file (`file_name` in documents/)")
            texts[doc_id] = None
            continue
        path = documents_dir / doc.file_name
        if not path.is_file():
            curated.problem(str(DOCUMENT[doc_id]), doc.origin, "document file",
                            f"the excerpt file {_display(path)} does not exist")
            texts[doc_id] = None
            continue
        text = _read_text(path, curated, _display(path))
        texts[doc_id] = fold_whitespace(text) if text is not None else None
    for st_id, st in curated.statements.items():
        text = texts.get(st.document or "")
        if text is None or not st.quote:
            continue
        quote = fold_whitespace(st.quote)
        if quote in text:
            continue
        doc = curated.documents[st.document or ""]
        matched = _longest_prefix(quote, text)
        where = (f"it matches up to {quote[max(0, matched - 40):matched]!r}, then has "
                 f"{quote[matched:matched + 40]!r}") if matched else "not even its first word is there"
        curated.problem(str(STATEMENT[st_id]), st.origin, "verbatim quote",
                        f"the quote is not in documents/{doc.file_name} (whitespace folded): "
                        f"{where}; copy it from the document")


def _longest_prefix(quote: str, text: str) -> int:
    """The length of the longest start of `quote` found in `text` (a binary search)."""
    low, high = 0, len(quote)
    while low < high:
        middle = (low + high + 1) // 2
        if quote[:middle] in text:
            low = middle
        else:
            high = middle - 1
    return low


def _report_dates(curated: Curated) -> None:
    """agk:reportDate: the publication date of the earliest document among a record's
    sources (the more precise date on the same start)."""
    for record in curated.records:
        dates = []
        for statement in record.statements:
            st = curated.statements.get(statement)
            doc = curated.documents.get(st.document or "") if st else None
            if doc and doc.issued:
                value, precision = doc.issued
                dates.append((period_start(value, precision), _PRECISION_RANK[precision],
                              value, precision))
        if dates:
            _, _, value, precision = min(dates)
            curated.graph.add((record.node, AGK.reportDate,
                               Literal(value, datatype=DATE_TYPES[precision])))
            curated.graph.add((record.node, AGK.reportDatePrecision, Literal(precision)))


def _supersedes(curated: Curated) -> None:
    """agk:supersedes: for each (exporter, market, product), a record supersedes every record
    of that triple with an earlier effective start. Same start: neither (a conflict, or two
    sources of one event). Both stay in the graph."""
    pairs: dict[tuple[str, str, str], list[_Record]] = {}
    for record in curated.records:
        if record.start is not None and all(record.pair):
            pairs.setdefault(record.pair, []).append(record)
    for records in pairs.values():
        for newer in records:
            for older in records:
                if older.start < newer.start:  # type: ignore[operator]
                    curated.graph.add((newer.node, AGK.supersedes, older.node))


_DIGEST_SKIP = {str(RDFS.label), str(SKOS.note), str(AGK.inference), str(AGK.supersedes)}


def history_digests(graph: Graph) -> dict[str, dict[str, str]]:
    """Per build, a short digest of each record and measure (what it says: status, dates,
    product, market, sources...), keyed by IRI: a later build tells what was added, changed or
    removed by comparing them. Labels, notes and computed links are left out."""
    digests: dict[str, dict[str, str]] = {"records": {}, "measures": {}}
    for key, cls in (("records", AGK.AccessRecord), ("measures", AGK.ExportMeasure)):
        for node in sorted(set(graph.subjects(RDF.type, cls)), key=str):
            facts = sorted(f"{p} {o.n3()}" for p, o in graph.predicate_objects(node)
                           if str(p) not in _DIGEST_SKIP)
            digests[key][str(node)] = hashlib.sha256("\n".join(facts).encode()).hexdigest()[:16]
    return digests
