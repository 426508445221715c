"""A deterministic generator of large agrikg graphs, for benchmarks.

The output has the shape of the real graph — the same ontology terms, IRI patterns and SHACL
shapes — at any size from 10^4 to 10^7 triples and beyond, so that load, query and API
timings measured on it say something about a graph that grew. It streams: memory depends on
the HS nomenclature and the number of markets, never on the number of triples asked for.

What is real and what is synthetic:

- the ontology and both status schemes are the project's own files (ontology/*.ttl);
- markets are every ISO 3166-1 country, exactly as `graph.build.market_vocabulary.market_graph()` makes them;
- products are the HS 2022 nomenclature (graph/reference/hs2022.csv) with its English
  descriptions; their Kazakh and Russian labels ("ҮС 0204.21 тауары", "Товар ТН ВЭД 0204.21")
  are **synthetic** placeholders, not translations;
- access records, statements, meetings, documents, speakers and roles are **synthetic**:
  plausible in form (status histories over the years, one statement per market per year with
  a Kazakh quote and its translations) but invented. Nothing generated is a fact.

Generated IRIs carry `gen-` or `hs-` in their local names, clear of the curated ones.
"""

from __future__ import annotations

import csv
import hashlib
import heapq
import os
import random
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from graph import ONTOLOGY_DIR, REFERENCE_DIR
from graph.namespaces import BASE, PRODUCT_SCHEME

if TYPE_CHECKING:
    from rdflib import Graph

HS_FILE = REFERENCE_DIR / "hs2022.csv"
EXPORTER = "KZ"
YEARS = range(2010, 2026)
PRODUCT_SHARE = 0.4  # at most this share of what is left after the fixed part goes to products
AGRICULTURAL_CHAPTERS = 24  # HS sections I-IV: the products a market-access graph is mostly about

# --------------------------------------------------------------------------- N-Triples terms

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_PROV = "http://www.w3.org/ns/prov#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_FOAF = "http://xmlns.com/foaf/0.1/"
_AGK = BASE + "ontology#"

TYPE = f"<{_RDF}type>"
LABEL = f"<{_RDFS}label>"
PREF = f"<{_SKOS}prefLabel>"
DEFINITION = f"<{_SKOS}definition>"
NOTATION = f"<{_SKOS}notation>"
BROADER = f"<{_SKOS}broader>"
IN_SCHEME = f"<{_SKOS}inScheme>"
SCHEME = f"<{PRODUCT_SCHEME}>"


def _agk(local: str) -> str:
    return f"<{_AGK}{local}>"


def _iri(kind: str, local: str) -> str:
    return f"<{BASE}{kind}/{local}>"


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"')
            .replace("\n", "\\n").replace("\r", "\\r"))


def _lit(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    """An N-Triples literal: tagged, typed, or plain."""
    body = f'"{_escape(text)}"'
    if lang:
        return f"{body}@{lang}"
    return f"{body}^^<{datatype}>" if datatype else body


def _triple(s: str, p: str, o: str) -> str:
    return f"{s} {p} {o} .\n"


def _labels(s: str, p: str, texts: tuple[str, str, str]) -> list[str]:
    """One label per language, in the project's order kk, ru, en."""
    return [_triple(s, p, _lit(text, lang)) for lang, text in zip(("kk", "ru", "en"), texts, strict=True)]


# --------------------------------------------------------------------------- fixed parts


def _sorted_nt(graph: Graph) -> tuple[str, ...]:
    """An rdflib graph as sorted N-Triples lines: rdflib's own order is not stable."""
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return tuple(sorted(f"{line}\n" for line in text.splitlines() if line.strip()))


@lru_cache(maxsize=1)
def ontology_lines() -> tuple[str, ...]:
    """The ontology and the status schemes (every ontology/*.ttl but the shapes, as the build
    reads them), parsed once; blank nodes canonically named so the bytes never vary."""
    from rdflib import Graph
    from rdflib.compare import to_canonical_graph

    graph = Graph()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        if path.name != "shapes.ttl":
            graph.parse(path, format="turtle")
    return _sorted_nt(to_canonical_graph(graph))


@lru_cache(maxsize=1)
def market_lines() -> tuple[tuple[str, ...], dict[str, tuple[str, str, str]]]:
    """Every ISO 3166-1 market as the build adds them, and each one's kk/ru/en name."""
    from rdflib import Literal
    from rdflib.namespace import SKOS

    from graph.build.market_vocabulary import market_graph

    graph = market_graph()
    names: dict[str, dict[str, str]] = {}
    for node, label in graph.subject_objects(SKOS.prefLabel):
        if isinstance(label, Literal) and label.language:
            names.setdefault(str(node).rsplit("/", 1)[-1], {})[label.language] = str(label)
    triples = {code: (n.get("kk", code), n.get("ru", code), n.get("en", code))
               for code, n in names.items()}
    return _sorted_nt(graph), dict(sorted(triples.items()))


@dataclass(frozen=True)
class HSCode:
    """One row of the HS nomenclature."""

    code: str
    parent: str
    level: int
    description: str
    section: str

    @property
    def dotted(self) -> str:
        return f"{self.code[:4]}.{self.code[4:]}" if self.level == 6 else self.code


def read_hs(path: Path = HS_FILE) -> list[HSCode]:
    """Chapters, headings and subheadings, sorted by code: a parent comes before its children."""
    rows: list[HSCode] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"section", "hscode", "description", "parent", "level"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        for row in reader:
            code = (row["hscode"] or "").strip()
            if code.isdigit() and len(code) in (2, 4, 6):
                rows.append(HSCode(code, (row["parent"] or "").strip(), len(code),
                                   " ".join((row["description"] or code).split()),
                                   (row["section"] or "").strip()))
    if not rows:
        raise ValueError(f"{path}: no HS codes of 2, 4 or 6 digits")
    return sorted({r.code: r for r in rows}.values(), key=lambda r: r.code)


_KIND = {2: "chapter", 4: "heading", 6: "subheading"}


def product_lines(hs: HSCode, top: bool) -> list[str]:
    """One product: an agk:Product / skos:Concept of the product scheme with its HS code."""
    node = _iri("product", f"hs-{hs.code}")
    lines = [
        _triple(node, TYPE, _agk("Product")),
        _triple(node, TYPE, f"<{_SKOS}Concept>"),
        _triple(node, IN_SCHEME, SCHEME),
        _triple(node, NOTATION, _lit(hs.code, datatype=_AGK + "HSCode")),
        *_labels(node, PREF, (f"ҮС {hs.dotted} тауары", f"Товар ТН ВЭД {hs.dotted}", hs.description)),
        _triple(node, DEFINITION, _lit(
            f"HS 2022 {_KIND[hs.level]} {hs.dotted}"
            + (f" (section {hs.section})" if hs.section and hs.section != "TOTAL" else "")
            + f": {hs.description}.", "en")),
    ]
    if top:
        lines += [_triple(node, f"<{_SKOS}topConceptOf>", SCHEME),
                  _triple(SCHEME, f"<{_SKOS}hasTopConcept>", node)]
    else:
        lines.append(_triple(node, BROADER, _iri("product", f"hs-{hs.parent}")))
    return lines


def scheme_lines() -> list[str]:
    """The product scheme, as graph/build/curated_files.py describes it."""
    return [
        _triple(SCHEME, TYPE, _agk("ProductScheme")),
        _triple(SCHEME, TYPE, f"<{_SKOS}ConceptScheme>"),
        *_labels(SCHEME, PREF, ("Өнімдер", "Продукция", "Products")),
        _triple(SCHEME, DEFINITION, _lit(
            "Agricultural products and product groups, in a hierarchy by skos:broader, "
            "classified by HS 2022 codes.", "en")),
    ]


# --------------------------------------------------------------------------- who speaks (synthetic)

ORGANISATIONS = {
    "gen-government-kz": ("Қазақстан Республикасының Үкіметі", "Правительство Республики Казахстан",
                          "Government of the Republic of Kazakhstan"),
    "gen-ministry-of-agriculture-kz": (
        "Қазақстан Республикасы Ауыл шаруашылығы министрлігі",
        "Министерство сельского хозяйства Республики Казахстан",
        "Ministry of Agriculture of the Republic of Kazakhstan"),
    "gen-veterinary-committee-kz": (
        "Ветеринариялық бақылау және қадағалау комитеті",
        "Комитет ветеринарного контроля и надзора",
        "Committee for Veterinary Control and Supervision"),
}
ROLES = {
    "gen-minister-of-agriculture-kz": ("ҚР Ауыл шаруашылығы министрі", "Министр сельского хозяйства РК",
                                       "Minister of Agriculture of the Republic of Kazakhstan"),
    "gen-vice-minister-of-agriculture-kz": (
        "ҚР Ауыл шаруашылығы вице-министрі", "Вице-министр сельского хозяйства РК",
        "Vice Minister of Agriculture of the Republic of Kazakhstan"),
    "gen-chair-veterinary-committee-kz": (
        "Ветеринариялық бақылау және қадағалау комитетінің төрағасы",
        "Председатель Комитета ветеринарного контроля и надзора",
        "Chair of the Committee for Veterinary Control and Supervision"),
    "gen-deputy-chair-veterinary-committee-kz": (
        "Ветеринариялық бақылау және қадағалау комитеті төрағасының орынбасары",
        "Заместитель председателя Комитета ветеринарного контроля и надзора",
        "Deputy Chair of the Committee for Veterinary Control and Supervision"),
    "gen-director-export-department-kz": (
        "Экспортты дамыту департаментінің директоры", "Директор департамента развития экспорта",
        "Director of the Export Development Department"),
    "gen-trade-representative-kz": ("ҚР сауда өкілі", "Торговый представитель РК",
                                    "Trade Representative of the Republic of Kazakhstan"),
}
# Synthetic people: (id, names kk/ru/en, organisation, role).
SPEAKERS = [
    ("gen-person-1", ("Асқар Сәрсенбаев", "Аскар Сарсенбаев", "Askar Sarsenbayev"),
     "gen-ministry-of-agriculture-kz", "gen-minister-of-agriculture-kz"),
    ("gen-person-2", ("Гүлнар Жақыпова", "Гульнар Жакупова", "Gulnar Zhakupova"),
     "gen-ministry-of-agriculture-kz", "gen-vice-minister-of-agriculture-kz"),
    ("gen-person-3", ("Ерлан Тоқтаров", "Ерлан Токтаров", "Yerlan Toktarov"),
     "gen-ministry-of-agriculture-kz", "gen-vice-minister-of-agriculture-kz"),
    ("gen-person-4", ("Динара Оспанова", "Динара Оспанова", "Dinara Ospanova"),
     "gen-veterinary-committee-kz", "gen-chair-veterinary-committee-kz"),
    ("gen-person-5", ("Нұрлан Бекмұхамедов", "Нурлан Бекмухамедов", "Nurlan Bekmukhamedov"),
     "gen-veterinary-committee-kz", "gen-deputy-chair-veterinary-committee-kz"),
    ("gen-person-6", ("Айгүл Серікбаева", "Айгуль Серикбаева", "Aigul Serikbayeva"),
     "gen-ministry-of-agriculture-kz", "gen-director-export-department-kz"),
    ("gen-person-7", ("Бауыржан Әбдіров", "Бауыржан Абдиров", "Baurzhan Abdirov"),
     "gen-ministry-of-agriculture-kz", "gen-trade-representative-kz"),
]


def agent_lines() -> list[str]:
    """Organisations, people and roles, typed as graph/build/curated_files.py types them."""
    lines: list[str] = []
    for agent, names in ORGANISATIONS.items():
        node = _iri("agent", agent)
        lines += [_triple(node, TYPE, f"<{_PROV}Agent>"), _triple(node, TYPE, f"<{_PROV}Organization>"),
                  _triple(node, TYPE, f"<{_FOAF}Organization>"), *_labels(node, LABEL, names)]
        if agent != "gen-government-kz":
            lines.append(_triple(node, "<https://schema.org/memberOf>", _iri("agent", "gen-government-kz")))
    for agent, names, organisation, _role in SPEAKERS:
        node = _iri("agent", agent)
        lines += [_triple(node, TYPE, f"<{_PROV}Agent>"), _triple(node, TYPE, f"<{_PROV}Person>"),
                  _triple(node, TYPE, f"<{_FOAF}Person>"),
                  _triple(node, "<https://schema.org/memberOf>", _iri("agent", organisation)),
                  *_labels(node, LABEL, names)]
    for role, names in ROLES.items():
        node = _iri("role", role)
        lines += [_triple(node, TYPE, f"<{_PROV}Role>"), *_labels(node, LABEL, names)]
    return lines


# --------------------------------------------------------------------------- statuses over time

# A pair's history: (access status, veterinary status or "") per record, oldest first, with
# its weight. Final statuses: ~45% open, ~22% restriction-lifted, ~18% requirements-agreed,
# ~8% requirements-planned, ~7% restricted.
HISTORIES: list[tuple[int, tuple[tuple[str, str], ...]]] = [
    (30, (("open", ""),)),
    (8, (("requirements-planned", "planned"), ("requirements-agreed", "agreed"), ("open", "agreed"))),
    (7, (("requirements-agreed", "agreed"), ("open", ""))),
    (10, (("requirements-planned", "planned"), ("requirements-agreed", "agreed"))),
    (8, (("requirements-agreed", "agreed"),)),
    (8, (("restricted", ""), ("restriction-lifted", ""))),
    (6, (("open", ""), ("restricted", ""), ("restriction-lifted", ""))),
    (8, (("restriction-lifted", ""),)),
    (8, (("requirements-planned", "planned"),)),
    (4, (("open", ""), ("restricted", ""))),
    (3, (("restricted", ""),)),
]
_HISTORY_WEIGHTS = [sum(w for w, _ in HISTORIES[: i + 1]) for i in range(len(HISTORIES))]
RECONFIRMED = 0.25  # a later record repeating the last status, as sources restate things
DAY_PRECISION = 0.3  # the rest are dated to the year only, as the real source is
LEVELS = {6: 0.85, 4: 0.12, 2: 0.03}  # records mostly on subheadings, some on groups

# Main partners get most records; every other market a little, so the long tail exists too.
PARTNERS = {
    "CN": 1.0, "RU": 1.0, "UZ": 0.9, "KG": 0.8, "IR": 0.7, "TJ": 0.6, "AF": 0.6, "AE": 0.6,
    "TR": 0.6, "SA": 0.5, "TM": 0.5, "AZ": 0.5, "BY": 0.5, "GE": 0.4, "MN": 0.4, "DE": 0.4,
    "AM": 0.3, "NL": 0.3, "IT": 0.3, "PL": 0.3, "KR": 0.3, "JP": 0.3, "VN": 0.3, "IN": 0.3,
    "PK": 0.3, "EG": 0.3, "QA": 0.3, "KW": 0.3, "IQ": 0.3, "LV": 0.2, "LT": 0.2, "FR": 0.2,
    "ES": 0.2, "JO": 0.2, "OM": 0.2, "BH": 0.2, "MY": 0.2, "ID": 0.2, "US": 0.2, "GB": 0.2,
}

QUOTES = [
    ("{year} жылы «{kk}» нарығына қазақстандық ауыл шаруашылығы өнімдерін экспорттау мәселелері "
     "қаралды: бірқатар өнімдер бойынша нарық ашылды, ветеринариялық талаптар келісілді.",
     "В {year} году рассмотрены вопросы экспорта казахстанской сельскохозяйственной продукции на "
     "рынок «{ru}»: по ряду товаров рынок открыт, ветеринарные требования согласованы.",
     "In {year}, exports of Kazakh agricultural products to the market of {en} were discussed: the "
     "market was opened for a number of products and veterinary requirements were agreed."),
    ("«{kk}» тарапымен ветеринариялық-санитариялық талаптарды келісу жұмыстары жалғасуда, "
     "{year} жылы бірқатар шектеулер алынып тасталды.",
     "Продолжается работа с рынком «{ru}» по согласованию ветеринарно-санитарных требований; "
     "в {year} году снят ряд ограничений.",
     "Work with {en} on agreeing veterinary and sanitary requirements continues; in {year} a number "
     "of restrictions were lifted."),
    ("{year} жылдың қорытындысы бойынша «{kk}» нарығына жаңа өнім түрлерін жеткізуге рұқсат "
     "алынды, кейбір өнімдер бойынша келіссөздер жоспарлануда.",
     "По итогам {year} года получено разрешение на поставку новых видов продукции на рынок "
     "«{ru}»; по отдельным товарам планируются переговоры.",
     "By the end of {year}, permission was obtained to supply new kinds of products to {en}; "
     "negotiations on some products are planned."),
    ("«{kk}» нарығында кейбір өнімдерге қатысты шектеулер әлі де сақталып отыр, {year} жылы "
     "оларды алып тастау бойынша келіссөздер жүргізілді.",
     "На рынке «{ru}» по некоторым товарам сохраняются ограничения; в {year} году проведены "
     "переговоры об их снятии.",
     "Restrictions on some products remain in place in {en}; in {year} negotiations were held on "
     "lifting them."),
]
MEETINGS = [
    (("Қазақстан Республикасы Үкіметінің отырысы", "Заседание Правительства Республики Казахстан",
      "Meeting of the Government of the Republic of Kazakhstan"), "gen-government-kz"),
    (("ҚР Ауыл шаруашылығы министрлігінің алқа отырысы", "Коллегия Министерства сельского хозяйства РК",
      "Board meeting of the Ministry of Agriculture of the Republic of Kazakhstan"),
     "gen-ministry-of-agriculture-kz"),
]


def _hash(*parts: object) -> int:
    """A stable number from its parts (Python's hash() is salted per process)."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


class _Provenance:
    """Statements (one per market and year), the meetings they were made at and the documents
    reporting them, each written once, just before the first record that cites it."""

    def __init__(self, seed: int, names: dict[str, tuple[str, str, str]]):
        self.seed = seed
        self.names = names
        self.written: set[tuple[str, int]] = set()
        self.meetings: set[tuple[int, int]] = set()

    def meeting(self, market: str, year: int) -> tuple[int, str]:
        """The quarter the market's statement of that year was made in, and the meeting's date."""
        quarter = 1 + _hash(self.seed, "quarter", market, year) % 4
        h = _hash(self.seed, "meeting", year, quarter)
        month = 3 * (quarter - 1) + 1 + h % 3
        return quarter, f"{year}-{month:02d}-{1 + (h >> 8) % 28:02d}"

    def statement(self, market: str, year: int) -> tuple[str, list[str]]:
        """The statement's IRI and, the first time only, the lines describing it."""
        node = _iri("statement", f"gen-{market.lower()}-{year}")
        if (market, year) in self.written:
            return node, []
        self.written.add((market, year))
        quarter, date = self.meeting(market, year)
        lines = self._meeting_lines(year, quarter, date)
        h = _hash(self.seed, "statement", market, year)
        kk_name, ru_name, en_name = self.names[market]
        kk, ru, en = (t.format(year=year, kk=kk_name, ru=ru_name, en=en_name)
                      for t in QUOTES[h % len(QUOTES)])
        speaker, _names, _org, role = SPEAKERS[(h >> 8) % len(SPEAKERS)]
        attribution = f"_:gen-attribution-{market.lower()}-{year}"
        lines += [
            _triple(node, TYPE, _agk("Statement")),
            _triple(node, _agk("quote"), _lit(kk, "kk")),
            _triple(node, _agk("translation"), _lit(en, "en")),
            _triple(node, _agk("translation"), _lit(ru, "ru")),
            _triple(node, _agk("directSpeech"),
                    _lit("true" if (h >> 16) % 2 else "false", datatype=_XSD + "boolean")),
            _triple(node, f"<{_PROV}wasAttributedTo>", _iri("agent", speaker)),
            _triple(node, f"<{_PROV}qualifiedAttribution>", attribution),
            _triple(attribution, TYPE, f"<{_PROV}Attribution>"),
            _triple(attribution, f"<{_PROV}agent>", _iri("agent", speaker)),
            _triple(attribution, f"<{_PROV}hadRole>", _iri("role", role)),
            _triple(node, f"<{_PROV}wasGeneratedBy>", _iri("event", f"gen-{year}-q{quarter}")),
            _triple(node, f"<{_PROV}hadPrimarySource>", _iri("document", f"gen-{year}-q{quarter}")),
            *_labels(node, LABEL, (f"{kk_name}, {year}: нарыққа қолжетімділік туралы мәлімдеме",
                                   f"{ru_name}, {year}: заявление о доступе на рынок",
                                   f"{en_name}, {year}: market-access statement")),
        ]
        return node, lines

    def _meeting_lines(self, year: int, quarter: int, date: str) -> list[str]:
        if (year, quarter) in self.meetings:
            return []
        self.meetings.add((year, quarter))
        (kk, ru, en), organiser = MEETINGS[quarter % 2]
        event = _iri("event", f"gen-{year}-q{quarter}")
        document = _iri("document", f"gen-{year}-q{quarter}")
        return [
            _triple(event, TYPE, _agk("Meeting")),
            *_labels(event, LABEL, (f"{kk}, {date}", f"{ru}, {date}", f"{en}, {date}")),
            _triple(event, DEFINITION, _lit(
                f"A synthetic meeting of {date} at which market access for Kazakh agricultural "
                "products was discussed (generated for benchmarks).", "en")),
            _triple(event, _agk("date"), _lit(date, datatype=_XSD + "date")),
            _triple(event, _agk("datePrecision"), _lit("day")),
            _triple(event, f"<{_PROV}wasAssociatedWith>", _iri("agent", organiser)),
            _triple(document, TYPE, _agk("SourceDocument")),
            _triple(document, TYPE, "<https://schema.org/NewsArticle>"),
            _triple(document, "<http://purl.org/dc/terms/language>", _lit("kk")),
            _triple(document, _agk("fileName"), _lit(f"gen-{year}-q{quarter}.txt")),
            *_labels(document, LABEL, (f"{kk} туралы хабарлама, {date}",
                                       f"Сообщение о заседании: {ru}, {date}",
                                       f"News report: {en}, {date}")),
            _triple(document, DEFINITION, _lit(
                f"A synthetic news report of the meeting of {date} (generated for benchmarks).", "en")),
        ]


# --------------------------------------------------------------------------- which pairs


class _MarketProducts:
    """The order in which one market gains records on products: per level, a shuffle of the
    agricultural chapters first, then the rest. Made on first use; fixed size per market."""

    def __init__(self, seed: int, market: str, pools: dict[int, tuple[list[int], list[int]]]):
        rng = random.Random(f"{seed}:products:{market}")
        self.order: dict[int, array] = {}
        self.next: dict[int, int] = {}
        for level, (agricultural, other) in pools.items():
            first, rest = agricultural[:], other[:]
            rng.shuffle(first)
            rng.shuffle(rest)
            self.order[level] = array("I", first + rest)
            self.next[level] = 0

    def take(self, preferred: int) -> int | None:
        """The next product of the preferred level, else of another; None when none is left."""
        for level in (preferred, *(lv for lv in LEVELS if lv != preferred)):
            position = self.next[level]
            if position < len(self.order[level]):
                self.next[level] = position + 1
                return self.order[level][position]
        return None


# --------------------------------------------------------------------------- the generator


def generate(triples: int, seed: int = 42, hs_file: Path | None = None) -> Iterator[str]:
    """N-Triples lines (each ending in a newline) of a graph of about `triples` triples.

    The same arguments give the same lines, byte for byte. Within ±5% of `triples` from 10^4
    up; below the fixed part (ontology and markets, about 3,000 triples) it is that part and a
    sliver of products and records.
    """
    if triples < 1:
        raise ValueError("the number of triples must be at least 1")
    codes = read_hs(hs_file or HS_FILE)  # read now, so that a bad file fails at the call
    return _lines(int(triples), seed, codes)


def _lines(target: int, seed: int, codes: list[HSCode]) -> Iterator[str]:
    rng = random.Random(seed)
    head, names = market_lines()
    fixed = [*ontology_lines(), *head, *scheme_lines(), *agent_lines()]
    count = len(fixed)
    yield from fixed

    # Products: the whole nomenclature when it leaves room for records, else a prefix of it
    # (parents first, agricultural chapters first) sized to the room there is.
    budget = max(0, target - count) * PRODUCT_SHARE
    by_code = {hs.code: hs for hs in codes}
    included: list[HSCode] = []
    seen: set[str] = set()
    spent = 0
    for hs in codes:
        top = hs.parent not in by_code
        if not top and hs.parent not in seen:
            continue
        cost = 10 if top else 9
        if spent + cost > budget and len(included) >= 20:
            break
        included.append(hs)
        seen.add(hs.code)
        spent += cost
    for hs in included:
        lines = product_lines(hs, top=hs.parent not in seen)
        count += len(lines)
        yield from lines

    # Records: markets take turns in proportion to their weight (weighted fair queueing), each
    # drawing its next product; a pair gets its whole status history at once.
    markets = [code for code in names if code != EXPORTER]
    weights = [PARTNERS.get(m, 0.02 + 0.08 * random.Random(f"{seed}:weight:{m}").random())
               for m in markets]
    pools: dict[int, tuple[list[int], list[int]]] = {level: ([], []) for level in LEVELS}
    for index, hs in enumerate(included):
        if hs.section != "TOTAL":  # "commodities not specified according to kind"
            pools[hs.level][0 if int(hs.code[:2]) <= AGRICULTURAL_CHAPTERS else 1].append(index)
    if not any(agri or other for agri, other in pools.values()) or not markets:
        return
    provenance = _Provenance(seed, names)
    exporter = _iri("market", EXPORTER)
    statuses = {s: _iri("access-status", s) for _w, h in HISTORIES for s, _v in h}
    vets = {v: _iri("vet-status", v) for v in ("agreed", "planned")}
    level_names, level_weights = list(LEVELS), list(LEVELS.values())
    product_iris = [_iri("product", f"hs-{hs.code}") for hs in included]
    market_iris = [_iri("market", m) for m in markets]

    for round_ in range(1_000_000):  # a new round only once every pair has its records
        queue = [(1.0 / w, i) for i, w in enumerate(weights)]
        heapq.heapify(queue)
        streams: dict[int, _MarketProducts] = {}
        prefix = f"gen-r{round_ + 1}-" if round_ else "gen-"
        while queue:
            if count >= target:
                return
            clock, m = heapq.heappop(queue)
            if m not in streams:
                streams[m] = _MarketProducts(seed, markets[m], pools)
            level = rng.choices(level_names, level_weights)[0]
            p = streams[m].take(level)
            if p is None:
                del streams[m]  # this market has a record on every product: it is done
                continue
            heapq.heappush(queue, (clock + 1.0 / weights[m], m))
            history = list(rng.choices(HISTORIES, cum_weights=_HISTORY_WEIGHTS)[0][1])
            if rng.random() < RECONFIRMED:
                history.append(history[-1])
            years = sorted(rng.sample(YEARS, len(history)))
            market, code = markets[m], included[p].code
            for (status, vet), year in zip(history, years, strict=True):
                statement, lines = provenance.statement(market, year)
                if rng.random() < DAY_PRECISION:
                    as_of = _lit(provenance.meeting(market, year)[1], datatype=_XSD + "date")
                    precision = "day"
                else:
                    as_of, precision = _lit(str(year), datatype=_XSD + "gYear"), "year"
                record = _iri("record", f"{prefix}{market.lower()}-{code}-{year}")
                lines += [
                    f"{record} {TYPE} {_agk('AccessRecord')} .\n",
                    f"{record} {_agk('exporter')} {exporter} .\n",
                    f"{record} {_agk('market')} {market_iris[m]} .\n",
                    f"{record} {_agk('product')} {product_iris[p]} .\n",
                    f"{record} {_agk('accessStatus')} {statuses[status]} .\n",
                    f"{record} {_agk('asOf')} {as_of} .\n",
                    f"{record} {_agk('datePrecision')} \"{precision}\" .\n",
                    f"{record} {_agk('source')} {statement} .\n",
                ]
                if vet:
                    lines.append(f"{record} {_agk('veterinaryRequirementStatus')} {vets[vet]} .\n")
                count += len(lines)
                yield from lines


def write(path: Path, triples: int, seed: int = 42, hs_file: Path | None = None,
          progress: Callable[[int], None] | None = None, chunk: int = 100_000) -> int:
    """Write the generated graph to `path` (via a .partial file, renamed when complete, so a
    broken run leaves no half file behind); return the number of triples written."""
    lines = generate(triples, seed, hs_file)
    partial = path.with_name(path.name + ".partial")
    written = 0
    try:
        with partial.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as handle:
            while batch := list(islice(lines, chunk)):
                handle.writelines(batch)
                written += len(batch)
                if progress:
                    progress(written)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return written
