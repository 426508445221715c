"""Convert the analyst-edited files in graph/data/ (CSV and YAML) into RDF.

Every resource minted here remembers the file and line it came from, so that a broken rule
found later by SHACL can point the analyst at the line to fix.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pycountry
import yaml
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from graph.errors import BuildError, Origin, Problem
from graph.namespaces import (
    ACCESS_STATUS,
    AGENT,
    AGK,
    BASE,
    DOCUMENT,
    EVENT,
    INDICATOR,
    INFERENCE,
    LANGUAGES,
    MARKET,
    PRODUCT,
    PRODUCT_SCHEME,
    PROGRAMME,
    RECORD,
    ROLE,
    SCHEMA,
    STATEMENT,
    VET_STATUS,
)

# What an IRI cannot hold (N-Triples IRIREF): an id with one of these would mint a broken IRI.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')

DATE_TYPES = {"year": XSD.gYear, "month": XSD.gYearMonth, "day": XSD.date}

# Field -> the property an `inferred` entry of that name marks (`hs` marks a product's HS codes
# as a reading of the source's word; a record whose answer rests on that reading names it too).
INFERABLE = {
    "exporter": AGK.exporter,
    "market": AGK.market,
    "product": AGK.product,
    "status": AGK.accessStatus,
    "vet_status": AGK.veterinaryRequirementStatus,
    "as_of": AGK.asOf,
    "date": AGK.date,
    "hs": SKOS.notation,
    "presented_by": AGK.presentedBy,
}


@dataclass
class Curated:
    """The RDF made from graph/data/ and, for each resource, where it was written."""

    graph: Graph = field(default_factory=Graph)
    origins: dict[str, Origin] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    ids: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, id) -> first line

    def mint(self, node: URIRef | BNode, origin: Origin) -> URIRef | BNode:
        self.origins.setdefault(str(node), origin)
        return node

    def problem(self, focus: str, origin: Origin, rule: str, message: str) -> None:
        self.problems.append(Problem(focus, origin, rule, message))


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that records each mapping's line as the key `__line__`."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


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
    return data or {}


def _read_csv(path: Path, curated: Curated, rel: str, required: list[str]) -> list[tuple[int, dict]]:
    """The rows with their line numbers. A row that repeats an earlier one exactly is reported
    with both lines and left out (a copy-paste slip, or a merge gone wrong)."""
    text = _read_text(path, curated, rel)
    if text is None:
        return []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
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
        cells = {k: (v or "").strip() for k, v in row.items()}
        first = seen.setdefault(tuple(cells.values()), line)
        if first != line:
            curated.problem(rel, Origin(rel, line), "duplicate row",
                            f"line {line} repeats line {first} ({rel}:{first}) exactly; "
                            "delete one of them")
            continue
        rows.append((line, cells))
    return rows


@contextmanager
def _entry(curated: Curated, rel: str, entry: object, kind: str) -> Iterator[None]:
    """Read one YAML entry: a missing field or a wrong shape is a problem at the entry's own
    line, and the other entries are still read, so one slip does not come out as a flood of
    problems elsewhere (every record citing a reason the file defines further on). An id used
    twice (an entry pasted twice) names both lines."""
    if isinstance(entry, dict) and "id" in entry:
        line = entry.get("__line__", 0)
        first = curated.ids.setdefault((kind, str(entry["id"])), line)
        if first != line:
            curated.problem(f"{kind} {entry['id']}", Origin(rel, line), "unique id",
                            f"the {kind} id {str(entry['id'])!r} is used twice: here and at "
                            f"{rel}:{first}")
    try:
        yield
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
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


def _split(cell: str, sep: str = ";") -> list[str]:
    return [part.strip() for part in cell.split(sep) if part.strip()]


def _labels(g: Graph, node: URIRef, prop: URIRef, texts: dict[str, Any] | None) -> None:
    for lang in LANGUAGES:
        text = (texts or {}).get(lang)
        if text:
            g.add((node, prop, Literal(str(text).strip(), lang=lang)))


def _date(curated: Curated, node: URIRef, prop: URIRef, value: str, precision: str,
          origin: Origin) -> None:
    """Add a date typed by its precision, so the datatype itself says how precise it is."""
    if not value:
        return
    datatype = DATE_TYPES.get(precision)
    if datatype is None:
        curated.problem(str(node), origin, "date precision",
                        f"precision {precision!r} is not one of: {', '.join(DATE_TYPES)}")
        return
    literal = Literal(value, datatype=datatype)
    if not _well_formed_date(value, precision):
        curated.problem(str(node), origin, "typed date",
                        f"{value!r} is not a valid {precision} (expected "
                        f"{ {'year': 'YYYY', 'month': 'YYYY-MM', 'day': 'YYYY-MM-DD'}[precision] })")
        return
    curated.graph.add((node, prop, literal))
    curated.graph.add((node, AGK.datePrecision, Literal(precision)))


def _well_formed_date(value: str, precision: str) -> bool:
    """True for YYYY, YYYY-MM or a real calendar date YYYY-MM-DD, as the precision asks."""
    import datetime

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
                reasons: dict[str, Any]) -> None:
    """Attach `field=reason-id` notes: the value of `field` was inferred, for that reason."""
    entries = spec if isinstance(spec, list) else spec.split()
    for entry in entries:
        name, _, reason_id = str(entry).partition("=")
        prop = INFERABLE.get(name.strip())
        if prop is None or not reason_id:
            curated.problem(str(node), origin, "inferred",
                            f"{entry!r} is not FIELD=REASON with FIELD one of: {', '.join(INFERABLE)}")
            continue
        if reason_id not in reasons:
            curated.problem(str(node), origin, "inferred",
                            f"reason {reason_id!r} is not defined under `inferences` in sources.yaml")
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
        if pycountry.countries.get(alpha_2=row["code"]) is None:
            curated.problem(str(MARKET[row["code"]]), origin, "market code",
                            f"{row['code']!r} is not an ISO 3166-1 alpha-2 code")
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


def load_records(curated: Curated, path: Path, rel: str, reasons: dict[str, Any]) -> None:
    g = curated.graph
    columns = ["id", "exporter", "market", "product", "status", "vet_status", "as_of",
               "as_of_precision", "statement", "inferred"]
    seen: dict[str, int] = {}
    for line, row in _read_csv(path, curated, rel, columns):
        origin = Origin(rel, line)
        node = RECORD[row["id"]]
        if row["id"] in seen:
            first = seen[row["id"]]
            curated.problem(str(node), origin, "unique record id",
                            f"id {row['id']!r} is used twice: here and at {rel}:{first}")
            continue
        seen[row["id"]] = line
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
        for statement in row["statement"].split():
            g.add((node, AGK.source, STATEMENT[statement]))
        _date(curated, node, AGK.asOf, row["as_of"], row["as_of_precision"] or "day", origin)
        if row["inferred"]:
            _inferences(curated, node, row["inferred"], origin, reasons)


def load_sources(curated: Curated, path: Path, rel: str) -> dict[str, Any]:
    """Documents, meetings, agents, roles, inference reasons, statements, trade indicators."""
    g = curated.graph
    data = _read_yaml(path, curated, rel)
    reasons: dict[str, Any] = {k: v for k, v in (data.get("inferences") or {}).items()
                               if k != "__line__"}

    for reason_id, texts in reasons.items():
        node = curated.mint(INFERENCE[reason_id], Origin(rel, texts.get("__line__", 0)))
        g.add((node, RDF.type, AGK.Inference))
        _labels(g, node, AGK.reason, texts)
        for statement in texts.get("sources") or []:  # the statements the reasoning cites
            g.add((node, AGK.source, STATEMENT[statement]))

    for doc in data.get("documents") or []:
        with _entry(curated, rel, doc, "document"):
            node = curated.mint(DOCUMENT[doc["id"]], Origin(rel, doc["__line__"]))
            g.add((node, RDF.type, AGK.SourceDocument))
            g.add((node, RDF.type, SCHEMA.NewsArticle))
            g.add((node, DCTERMS.language, Literal(doc.get("language", "kk"))))
            if doc.get("file_name"):
                g.add((node, AGK.fileName, Literal(doc["file_name"])))
            _labels(g, node, RDFS.label, doc.get("label"))
            _labels(g, node, SKOS.definition, doc.get("definition"))

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
            origin = Origin(rel, st["__line__"])
            node = curated.mint(STATEMENT[st["id"]], origin)
            g.add((node, RDF.type, AGK.Statement))
            if st.get("quote_kk"):
                g.add((node, AGK.quote, Literal(st["quote_kk"].strip(), lang="kk")))
            for lang, text in (st.get("translation") or {}).items():
                if lang != "__line__":
                    g.add((node, AGK.translation, Literal(str(text).strip(), lang=lang)))
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
            if st.get("document"):
                g.add((node, PROV.hadPrimarySource, DOCUMENT[st["document"]]))
            _statement_labels(g, node, st)

    for ind in data.get("trade_indicators") or []:
        with _entry(curated, rel, ind, "trade indicator"):
            origin = Origin(rel, ind["__line__"])
            node = curated.mint(INDICATOR[ind["id"]], origin)
            g.add((node, RDF.type, AGK.TradeIndicator))
            g.add((node, AGK.exporter, MARKET[ind["exporter"]]))
            g.add((node, AGK.market, MARKET[ind["market"]]))
            g.add((node, AGK.changePercent, Literal(str(ind["change_percent"]), datatype=XSD.decimal)))
            g.add((node, AGK.period, Literal(str(ind["period"]), datatype=XSD.duration)))
            g.add((node, AGK.source, STATEMENT[ind["statement"]]))
            _labels(g, node, AGK.productScope, ind.get("product_scope"))
            _labels(g, node, RDFS.label, ind.get("label"))
            _labels(g, node, SKOS.definition, ind.get("definition"))
    return reasons


def _statement_labels(g: Graph, node: URIRef, st: dict[str, Any]) -> None:
    """A short label per language: the opening words of the quote or its translation."""
    texts = {"kk": st.get("quote_kk", "")} | {
        k: v for k, v in (st.get("translation") or {}).items() if k != "__line__"}
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
            for statement in prog.get("sources") or []:
                g.add((node, AGK.source, STATEMENT[statement]))
            goal = prog.get("goal") or {}
            _labels(g, node, AGK.goal, goal)
            if goal.get("source"):
                g.add((node, AGK.source, STATEMENT[goal["source"]]))
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
                        g.add((item_node, AGK.source, STATEMENT[section["source"]]))
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
    steps = [("sources.yaml", None), ("products.csv", load_products),
             ("markets.csv", load_market_extras), ("access.csv", None),
             ("programme.yaml", load_programmes)]
    reasons: dict[str, Any] = {}
    for name, loader in steps:
        path = data_dir / name
        rel = _display(path)
        if not path.exists():
            if name != "programme.yaml":
                curated.problem(rel, Origin(rel), "data file", "the file is missing")
            continue
        try:
            if name == "sources.yaml":
                reasons = load_sources(curated, path, rel)
            elif name == "access.csv":
                load_records(curated, path, rel, reasons)
            elif name == "markets.csv":
                loader(curated, path, rel)
            else:
                loader(curated, path, rel, reasons)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            curated.problem(rel, Origin(rel), "data shape",
                            f"an entry lacks a required field or has the wrong shape ({exc!r})")
