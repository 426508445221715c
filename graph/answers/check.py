"""The market-access check: may the exporter ship PRODUCT to MARKET, under what veterinary
status, and who said so?

Open world: no record means status "unknown" and `permitted: null`, never a prohibition.
One rule (`decide_all`) says which record answers, for the check, the listings and the
analytics alike: the product's own record, else the nearest broader one (`via`, through any
of its broader paths); else, when the records answering for its narrower products together
cover every HS subheading of it with one status, that status "by complete coverage";
otherwise `unknown`, with the narrower records listed as `partial` coverage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from graph.answers.dates import AsOf, parse_as_of, start
from graph.answers.dates import end as period_end
from graph.answers.hs_coverage import span
from graph.answers.messages import (
    BAN_NOTE,
    BAN_VALUE,
    CONFLICT_NOTE,
    FIELDS,
    PERMITTED_NOTE,
    PERMITTED_NOTE_UNKNOWN,
    PERMITTED_VALUE,
    as_of_phrase,
)
from graph.answers.models import AccessAnswer
from graph.answers.records import pair_records
from graph.answers.resolve import (
    ProductIndex,
    Resolved,
    market_index,
    product_index,
    resolve_market,
    resolve_product,
)
from graph.answers.statuses import ACCESS_SCHEME, UNKNOWN, VET_SCHEME
from graph.answers.statuses import permits as status_permits
from graph.namespaces import AGK, MARKET, SKOS
from graph.store.backends import Row, Store, cached, lru
from graph.store.named_queries import IRI, each, select

# Sources disagreeing on the same date for the same product: an answer, like unknown, not a
# status of the graph. The answer lists every tied record and picks none.
CONFLICT = "conflict"
# Whether supply is possible is agrikg's reading of each status, never a source's words (the
# answer's `permitted_reading` says so): `permits` reads agk:permitsSupply from statuses.ttl.
# "unknown" is not a concept of the graph (absence is not a status), so its words live here.
UNKNOWN_LABEL = {"kk": "Мәлімет жоқ", "ru": "Нет данных", "en": "Unknown"}
CONFLICT_LABEL = {"kk": "Дереккөздер келіспейді", "ru": "Источники расходятся",
                  "en": "Sources disagree"}
# Names in «» (or “” in English) always follow a head noun that carries the case, so they stay
# in the nominative; {as_of} is a phrase made by `words.as_of_phrase` for the date's precision.
MESSAGES = {
    "direct": {
        "en": "{status}: {product} to {market}, as of {as_of}.",
        "ru": "{status}: {product} — {market}, по состоянию на {as_of}.",
        "kk": "{status}: {product} — {market}, {as_of} жағдай бойынша.",
    },
    "via": {
        "en": "{status}: {product} to {market}, inherited from the broader group “{via}”, "
              "which includes {product}. As of {as_of}.",
        "ru": "{status}: {product} — {market}. Статус взят из записи по более широкой группе "
              "«{via}», в которую входит продукция «{product}». По состоянию на {as_of}.",
        "kk": "{status}: {product} — {market}. Мәртебе кеңірек «{via}» тобы бойынша жазбадан "
              "алынды; «{product}» өнімі осы топқа кіреді. {as_of} жағдай бойынша.",
    },
    "complete": {
        "en": "{status}: {product} to {market}, by complete coverage: the records on the "
              "products within it cover all its HS codes ({narrower}). As of {as_of}.",
        "ru": "{status}: {product} — {market}, по полному охвату: записи по видам продукции "
              "группы «{product}» охватывают все её коды ТН ВЭД ({narrower}). По состоянию на "
              "{as_of}.",
        "kk": "{status}: {product} — {market}, толық қамту бойынша: «{product}» тобына кіретін "
              "өнімдер бойынша жазбалар оның барлық СЭҚ ТН кодтарын қамтиды ({narrower}). "
              "{as_of} жағдай бойынша.",
    },
    "unknown": {
        "en": "No information: no source in the graph speaks of {product} in {market}. "
              "This is not a prohibition.",
        "ru": "Нет данных. Продукция: «{product}»; рынок: {market}. Ни в одном источнике базы "
              "об этом не сказано — это не означает запрета.",
        "kk": "Мәлімет жоқ: дерекқорда «{product}» өнімін {market} нарығына жеткізу туралы "
              "бірде-бір дереккөз жоқ. Бұл тыйым дегенді білдірмейді.",
    },
    "conflict": {
        "en": "Sources disagree on {product} to {market} as of {as_of}: {statuses}. agrikg "
              "does not pick one; each source is shown.",
        "ru": "Источники расходятся: {product} — {market}, по состоянию на {as_of}: "
              "{statuses}. agrikg не выбирает ни один; приведён каждый источник.",
        "kk": "Дереккөздер келіспейді: {product} — {market}, {as_of} жағдай бойынша: "
              "{statuses}. agrikg біреуін таңдамайды; әр дереккөз көрсетілген.",
    },
    "not_yet": {
        "en": "No information on {product} in {market} as of {asked}: the graph's first record "
              "of it takes effect later ({first}). This is not a prohibition.",
        "ru": "Нет данных на {asked}. Продукция: «{product}»; рынок: {market}. Первая запись "
              "базы об этом вступает в силу позже ({first}). Это не означает запрета.",
        "kk": "{asked} күнге мәлімет жоқ: «{product}» өнімі, {market} нарығы. Дерекқордағы бұл "
              "туралы алғашқы жазба кейінірек күшіне енеді ({first}). Бұл тыйым дегенді "
              "білдірмейді.",
    },
    "partial": {
        "en": "No information on {product} as a whole in {market}: the graph has records only "
              "on products within it ({narrower}). Check the exact product.",
        "ru": "Нет данных по группе «{product}» в целом (рынок: {market}). Записи есть только "
              "по отдельным видам продукции этой группы: {narrower}. Укажите конкретный вид "
              "продукции.",
        "kk": "«{product}» тобы бойынша {market} нарығына қатысты жалпы мәлімет жоқ: жазбалар "
              "тек осы топқа кіретін жекелеген өнімдер бойынша бар ({narrower}). Нақты өнімді "
              "көрсетіңіз.",
    },
}
# One item of {narrower}: a record on a product within the group, or one that product
# inherits from another broader group of its own.
NARROWER_ITEM = {
    "direct": {"en": "{product}: {status}", "ru": "{product}: {status}",
               "kk": "{product}: {status}"},
    "via": {"en": "{product}: {status} (from the group “{via}”)",
            "ru": "{product}: {status} (по группе «{via}»)",
            "kk": "{product}: {status} («{via}» тобы бойынша)"},
}


def vocabulary(store: Store) -> dict[str, dict[str, dict[str, str]]]:
    """Both status schemes from the graph: scheme -> notation -> {lang: label, ...}."""
    def make() -> dict[str, dict[str, dict[str, str]]]:
        vocab: dict[str, dict[str, dict[str, str]]] = {}
        for row in select(store, "status_labels"):
            entry = vocab.setdefault(row["scheme"], {}).setdefault(row["notation"], {})
            entry[row["lang"]] = row["label"]
            entry[f"definition_{row['lang']}"] = row.get("definition", "")
            entry["iri"] = row["concept"]
        return vocab

    return cached(store, "vocabulary", make)


def status_label(store: Store, code: str, lang: str) -> str:
    if code == UNKNOWN:
        return UNKNOWN_LABEL[lang]
    if code == CONFLICT:
        return CONFLICT_LABEL[lang]
    return vocabulary(store).get(ACCESS_SCHEME, {}).get(code, {}).get(lang, code)


def _vet(store: Store, row: Row, lang: str) -> dict[str, str] | None:
    code = row.get("vetStatus")
    if not code:
        return None
    label = vocabulary(store).get(VET_SCHEME, {}).get(code, {}).get(lang, code)
    return {"code": code, "label": label}


@dataclass(frozen=True, slots=True)
class Statement:
    """A source statement as the answer cites it, in every language at once."""

    iri: str
    quote: str
    quote_lang: str
    # (language, text) after one another: 72 bytes for two, against 184 for a dict
    translations: tuple[str, ...]
    direct_speech: bool
    speaker: str | None
    role: str | None
    event: str | None
    event_date: str | None
    event_date_inferred: bool
    document: str | None
    url: str | None = None
    publisher: str | None = None
    published: str | None = None
    published_precision: str | None = None


def statements(store: Store) -> dict[str, Statement]:
    """Every source statement, read once per build: a check then looks its sources up instead
    of asking the store for them record by record (statements are few beside records)."""
    def make() -> dict[str, Statement]:
        rows: dict[str, list[Row]] = {}
        for row in each(store, "source_details"):
            rows.setdefault(row["statement"], []).append(row)
        out = {}
        for iri, group in rows.items():
            first = group[0]
            translations: dict[str, str] = {}
            for row in group:
                if row.get("translationLang"):
                    translations.setdefault(row["translationLang"], row["translation"])
            out[iri] = Statement(iri, first["quote"], first.get("quoteLang") or "kk",
                                 tuple(part for item in translations.items() for part in item),
                                 first.get("directSpeech") == "true", first.get("speaker"),
                                 first.get("role"), first.get("event"), first.get("eventDate"),
                                 first.get("eventDateInferred") == "true", first.get("document"),
                                 first.get("url"), first.get("publisher"), first.get("published"),
                                 first.get("publishedPrecision"))
        return out

    return cached(store, "statements", make)


def source_labels(store: Store) -> dict[str, dict[str, str]]:
    """Names of the speakers, roles, meetings and documents statements point to, per language."""
    def make() -> dict[str, dict[str, str]]:
        labels: dict[str, dict[str, str]] = {}
        for row in select(store, "source_labels"):
            labels.setdefault(row["entity"], {}).setdefault(row.get("lang", ""), row["label"])
        return labels

    return cached(store, "source_labels", make)


def source_json(store: Store, statement: str, lang: str) -> dict[str, Any] | None:
    """One source as the answer shows it, in the asked language (made once per build)."""
    shown = cached(store, "source_json", dict)
    key = (statement, lang)
    found = shown.get(key)
    if found is None:
        s = statements(store).get(statement)
        if s is None:  # a statement without a quote is not shown
            return None
        labels = source_labels(store)

        def name(iri: str | None) -> str | None:
            return labels.get(iri, {}).get(lang) if iri else None

        # The asked language's translation, else the English one, else any (never the quote
        # itself: a reader in the quote's language reads it in the quote).
        pairs = zip(s.translations[::2], s.translations[1::2], strict=True)
        given = {code: text for code, text in pairs if code != s.quote_lang}
        translation_lang = next((code for code in (lang, "en", *sorted(given)) if code in given),
                                None)
        texts = given | {s.quote_lang: s.quote}
        found = shown[key] = {
            "statement": s.iri,
            "speaker": name(s.speaker),
            "role": name(s.role),
            "event": name(s.event),
            "event_date": s.event_date,
            "event_date_inferred": s.event_date_inferred,
            "document": s.document,
            "document_label": name(s.document),
            "direct_speech": s.direct_speech,
            "quote": s.quote,
            "quote_lang": s.quote_lang,
            "quote_kk": texts.get("kk"),
            "translation_en": texts.get("en"),
            "translation": given.get(translation_lang) if translation_lang else None,
            "translation_lang": translation_lang,
            "url": s.url,
            "publisher": s.publisher,
            "published": s.published,
            "published_precision": s.published_precision,
        }
    return found


def record_sources(store: Store, statement_iris: list[str], lang: str) -> list[dict[str, Any]]:
    """The statements a record rests on, as the answer shows them."""
    found = (source_json(store, iri, lang) for iri in sorted(set(statement_iris)))
    return [s for s in found if s is not None]


def record_inferences(store: Store, record: str, lang: str) -> list[dict[str, Any]]:
    """Which values of a record were inferred rather than stated, and why (asked only for
    records the check found inferred values on; kept per build)."""
    def make() -> list[dict[str, Any]]:
        out = []
        for row in select(store, "record_inferences", record=IRI(record), lang=lang):
            field = _FIELD_NAMES.get(row["property"], row["property"].rsplit("#", 1)[-1])
            out.append({"field": field,
                        "field_label": FIELDS.get(field, {}).get(lang, field),
                        "inference": row["inference"],
                        "reason": row.get("reason") or row.get("reasonEn")})
        return out

    return cached(store, f"inferences:{record}:{lang}", make)


_FIELD_NAMES = {str(AGK.asOf): "as_of", str(AGK.market): "market", str(AGK.product): "product",
                str(AGK.exporter): "exporter", str(AGK.accessStatus): "status",
                str(AGK.veterinaryRequirementStatus): "veterinary_requirements",
                str(SKOS.notation): "hs_codes"}


def access_rows(store: Store, products: set[str] | list[str], market: str | None,
                exporter: str) -> list[Row]:
    """Rows of `access_check` on the products given, one per record, its source statements
    gathered in `statements` and the records it supersedes in `supersedes` (the query gives
    one row per statement and per superseded record)."""
    rows = select(store, "access_check", products=tuple(IRI(p) for p in sorted(products)),
                  market=IRI(market) if market else None, exporter=IRI(exporter))
    records: dict[str, Row] = {}
    for row in rows:
        kept = records.get(row["record"])
        if kept is None:
            kept = records[row["record"]] = row | {"statements": [], "supersedes": []}
        if row.get("statement"):
            kept["statements"].append(row["statement"])
        if row.get("superseded"):
            kept["supersedes"].append(row["superseded"])
    return list(records.values())


def other_groups(products: ProductIndex, product: str) -> list[str]:
    """The broader groups of the product's narrower products that are neither below it nor on
    its own line (table eggs, for hen eggs through edible hen eggs): their records reach the
    narrower products by another path. Most hierarchies have none."""
    below = products.descendants(product)
    line = {product, *products.ancestors(product)}
    return sorted({parent for child in below for parent in products.broader.get(child, [])
                   if parent not in below and parent not in line})


def records_for(store: Store, exporter: str, market: str | None, product: str) -> list[Row]:
    """Every record the rule may weigh for the product in the market (every market when None):
    on the product and its broader products (its history), and below it (for coverage), each
    once, whatever its date. The one place records are fetched for the check and the listings:
    in one market through the per-build index of records by pair (graph/answers/records.py),
    which reads only that pair's records; in every market with `access_check`. Both are given
    the products from the product index (`pair_products`): the hierarchy is walked once, here."""
    wanted = pair_products(product_index(store), product)
    if market is not None:
        return pair_records(store, exporter, market, wanted)
    return access_rows(store, wanted, None, exporter)


def pair_products(products: ProductIndex, product: str) -> set[str]:
    """The products whose records may answer for `product`: itself and its broader products
    and, for a group, those below it and their other broader groups with those groups'
    broader products."""
    wanted = {product, *products.ancestors(product)}
    if products.narrower.get(product):
        wanted |= products.descendants(product)
        for group in other_groups(products, product):
            wanted |= {group, *products.ancestors(group)}
    return wanted


Rows = list[Row] | dict[str, list[Row]]


def _by_product(rows: Rows) -> dict[str, list[Row]]:
    if isinstance(rows, dict):
        return rows
    grouped: dict[str, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row["recordProduct"], []).append(row)
    return grouped


def effective_start(row: Row) -> date:
    """The first day a record is in effect: its effective date's start (a year-precision
    record from 1 January, a month-precision one from the 1st)."""
    return start(row.get("asOf"), row.get("precision"))


def _today() -> date:
    return date.today()


@dataclass(frozen=True)
class Choice:
    """What the rule picks among records on a product's line: the record (`row`, on a broader
    product when `via`), or, when sources disagree, every tied record (`tied`) and no pick."""

    row: Row | None
    via: str | None
    tied: tuple[Row, ...] = ()

    @property
    def rows(self) -> list[Row]:
        return list(self.tied) if self.tied else [self.row] if self.row is not None else []


def decide(products: ProductIndex, product: str, rows: Rows, at: date | None = None) -> Choice:
    """THE as-of rule. On the day `at` (today when None) the records in effect for `product`
    are those on it or on a broader product whose effective start is on or before `at`. The
    one with the latest start answers; on the same start the more specific product wins
    (fewest broader steps); records still tied with different statuses are a conflict (all
    returned in `tied`, none picked). A year-precision record starts on 1 January, so a
    day-precision record of the same year, later, answers after its day. `rows` may hold
    records on any product (each row names its `recordProduct`), or be them grouped by
    product."""
    at = at or _today()
    by_product = _by_product(rows)
    distances = {product: 0} | products.ancestors(product)
    best_key: tuple[date, int] | None = None
    best: list[Row] = []
    for on, distance in distances.items():
        for row in by_product.get(on, ()):
            began = effective_start(row)
            if began > at:
                continue
            key = (began, -distance)
            if best_key is None or key > best_key:
                best_key, best = key, [row]
            elif key == best_key:
                best.append(row)
    if not best:
        return Choice(None, None)
    best.sort(key=lambda r: r["record"])
    if len({r["status"] for r in best}) > 1:
        return Choice(None, None, tuple(best))
    chosen = best[-1]  # the same status from several records: the last id, for every caller
    via = chosen["recordProduct"] if chosen["recordProduct"] != product else None
    return Choice(chosen, via)


@dataclass(frozen=True)
class Covered:
    """A record that answers for a product within the asked one: on that product itself
    (`via` None), or on another broader group of it (`via` names the group)."""

    product: str
    row: Row
    via: str | None


@dataclass(frozen=True)
class Decision:
    """What answers for a product: a record (`row`, inherited when `via`), a conflict
    (`conflict`: tied records that disagree), or, when none, the records answering for the
    products within it (`narrower`), which give its status when `complete` (they cover every
    HS subheading of it, all with one status)."""

    row: Row | None
    via: str | None
    narrower: list[Covered]
    complete: bool
    conflict: tuple[Row, ...] = ()

    @property
    def status(self) -> str:
        if self.conflict:
            return CONFLICT
        if self.row is not None:
            return self.row["status"]
        return self.narrower[0].row["status"] if self.complete else UNKNOWN

    @property
    def answering(self) -> list[Row]:
        """The records the answer rests on: the one picked, the tied ones of a conflict, or
        those within the product that cover it completely."""
        if self.conflict:
            return list(self.conflict)
        if self.row is not None:
            return [self.row]
        return [c.row for c in self.narrower] if self.complete else []


def decide_all(products: ProductIndex, product: str, rows: Rows,
               at: date | None = None) -> Decision:
    """The one rule for which record answers on the day `at`, used by the check, the listings,
    analytics and the views. `rows` may hold records on any product; only those on the
    product's line (itself, its broader products) and below it (its narrower products and
    their other broader groups) count, each by `decide`."""
    at = at or _today()
    by_product = _by_product(rows)
    choice = decide(products, product, by_product, at)
    below = products.descendants(product) if products.narrower.get(product) else set()
    line = {product, *products.ancestors(product)}
    answers: dict[str, list[Row]] = {}
    for narrower in sorted(below, key=lambda p: (products.depth(p), p)):
        found = [r for r in decide(products, narrower, by_product, at).rows
                 if r["recordProduct"] not in line]
        if found:
            answers[narrower] = found
    shown: dict[str, Covered] = {}  # one entry per record, on the most general product it answers for
    for narrower, found_rows in answers.items():
        for found in found_rows:
            if found["record"] in shown:
                continue
            on = found["recordProduct"]
            shown[found["record"]] = (Covered(on, found, None) if on in below
                                      else Covered(narrower, found, on))
    complete = False
    if choice.row is None and not choice.tied and answers:
        statuses = {found["status"] for rows_ in answers.values() for found in rows_}
        wanted = span(products.codes.get(product, []))
        covered: set[str] = set()
        for narrower in answers:
            covered |= span(products.codes.get(narrower, []))
        complete = len(statuses) == 1 and bool(wanted) and wanted <= covered
    return Decision(choice.row, choice.via, list(shown.values()), complete, choice.tied)


def standing(products: ProductIndex, rows: Rows, at: date | None = None) -> list[Row]:
    """The records of one market that answer, on the day `at`, for the product they are on
    (by `decide`): what a view of the graph on that day draws. A record superseded by a later
    one, on its product or a broader one, or not yet in effect, is left out; the tied records
    of a conflict all stay."""
    by_product = _by_product(rows)
    return [row for product in by_product
            for row in decide(products, product, by_product, at).rows
            if row["recordProduct"] == product]


def in_force(start_value: str | None, start_precision: str | None, end_value: str | None,
             end_precision: str | None, at: date) -> bool:
    """Whether a measure is in force on `at`: from the first day of its start to the last day
    of its end (a month-precision end runs to the month's last day; no end: still in force)."""
    return start(start_value, start_precision) <= at <= period_end(end_value, end_precision)


def export_measures(store: Store) -> list[dict[str, Any]]:
    """Every export measure of every exporter, read once per build (they are few)."""
    def make() -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for row in select(store, "export_measures"):
            m = found.setdefault(row["measure"], {
                "measure": row["measure"], "exporter": row["exporter"], "kind": row["kind"],
                "start": row.get("start"), "start_precision": row.get("startPrecision"),
                "end": row.get("end"), "end_precision": row.get("endPrecision"),
                "quantity": float(row["quantity"]) if row.get("quantity") else None,
                "unit": row.get("unit"), "all_markets": row.get("allMarkets") == "true",
                "products": set(), "markets": set(), "statements": set(), "labels": {}})
            if row.get("product"):
                m["products"].add(row["product"])
            if row.get("market"):
                m["markets"].add(row["market"])
            if row.get("statement"):
                m["statements"].add(row["statement"])
            if row.get("label"):
                m["labels"][row.get("labelLang") or "en"] = row["label"]
        return sorted(found.values(), key=lambda m: (start(m["start"], m["start_precision"]),
                                                     m["measure"]))

    return cached(store, "export_measures", make)


def measures_in_force(store: Store, products: ProductIndex, exporter: str, market: str,
                      product: str, at: date) -> list[dict[str, Any]]:
    """The exporter's measures in force on `at` that cover the product (named, or a broader
    product of it) and the market (named, or all markets)."""
    line = {product, *products.ancestors(product)}
    return [m for m in export_measures(store)
            if m["exporter"] == exporter and m["products"] & line
            and (m["all_markets"] or market in m["markets"])
            and in_force(m["start"], m["start_precision"], m["end"], m["end_precision"], at)]


ANSWERS_KEPT = 4096  # answers kept per build (a few MB)


def check(store: Store, product: str, market: str, lang: str = "en",
          exporter: str = "KZ", as_of: str | AsOf | None = None) -> dict[str, Any]:
    """Answer the access question on a date (`as_of`: YYYY, YYYY-MM or YYYY-MM-DD, else
    today); raises BadDate for a date it cannot read, ResolveError for a product or market
    not found."""
    lang = lang if lang in ("kk", "ru", "en") else "en"
    at = as_of if isinstance(as_of, AsOf) else parse_as_of(as_of)
    p = resolve_product(store, product, lang)
    m = resolve_market(store, market, lang)
    return check_resolved(store, p, m, lang, exporter, at)


def check_resolved(store: Store, p: Resolved, m: Resolved, lang: str,
                   exporter: str = "KZ", as_of: AsOf | None = None) -> dict[str, Any]:
    """The answer for resolved names. Answers are kept per build (bounded, least recently
    asked dropped first), so a repeated question costs no query; a rebuild opens a new store
    and with it an empty cache. Nested values are shared with the cache: do not modify them."""
    at = as_of or parse_as_of(None)
    answers = lru(store, "answers", ANSWERS_KEPT)
    key = (p.iri, m.iri, lang, exporter, at.text)
    found = answers.get(key)
    if isinstance(found, dict):
        answer: dict[str, Any] = found
    else:
        answer = _answer(store, p.iri, m.iri, lang, exporter, at)
        answers.put(key, answer)
    product: dict[str, Any] = answer["product"]
    market: dict[str, Any] = answer["market"]
    return answer | {
        "product": product | {"matched_by": p.matched_by, "query": p.query},
        "market": market | {"matched_by": m.matched_by, "query": m.query},
    }


def permitted_reading(status: str, lang: str, label: str,
                      ban: dict[str, Any] | None = None) -> dict[str, Any]:
    """The `permitted_reading` field: `permitted` is agrikg's reading of the status (or of
    the exporter's own ban in force), not the source's words, and says what it means here."""
    if ban is not None:
        return {"stated_by_source": False, "derived_from": "exporter_measure",
                "measure": ban["measure"],
                "text": BAN_VALUE[lang].format(measure=ban["label"]),
                "note": BAN_NOTE[lang].format(status=label)}
    if status == UNKNOWN:
        return {"stated_by_source": False, "derived_from": None,
                "text": PERMITTED_VALUE[UNKNOWN][lang], "note": PERMITTED_NOTE_UNKNOWN[lang]}
    if status == CONFLICT:
        return {"stated_by_source": False, "derived_from": "conflict",
                "text": PERMITTED_VALUE[CONFLICT][lang], "note": CONFLICT_NOTE[lang]}
    return {"stated_by_source": False, "derived_from": "status",
            "text": PERMITTED_VALUE.get(status, {}).get(lang, status),
            "note": PERMITTED_NOTE[lang].format(status=label)}


def permits(store: Store, status: str) -> bool | None:
    """Whether supply is possible by a status, as agrikg reads it (agk:permitsSupply in
    statuses.ttl; None: unknown; a conflict of sources never reads as permitted)."""
    return False if status == CONFLICT else status_permits(store, status)


def _date_json(value: str | None, precision: str | None) -> dict[str, Any] | None:
    return {"value": value, "precision": precision} if value else None


def _history(store: Store, products: ProductIndex, product: str, rows: list[Row],
             decision: Decision, at: date, lang: str) -> list[dict[str, Any]]:
    """Every record of the pair and of its broader products, oldest first, each saying
    whether it is in effect on the asked day and whether it is the one that answers."""
    distances = {product: 0} | products.ancestors(product)
    answering = {r["record"] for r in decision.answering}
    line = [r for r in rows if r["recordProduct"] in distances]
    line.sort(key=lambda r: (effective_start(r), -distances[r["recordProduct"]], r["record"]))
    return [{
        "record": r["record"],
        "product": r["recordProduct"].rsplit("/", 1)[-1],
        "product_label": products.label(r["recordProduct"], lang),
        "status": r["status"],
        "status_label": status_label(store, r["status"], lang),
        "vet_status": r.get("vetStatus"),
        "as_of": r.get("asOf"),
        "precision": r.get("precision"),
        "report_date": r.get("reportDate"),
        "answers": r["record"] in answering,
        "in_effect": effective_start(r) <= at,
        "supersedes": sorted(set(r.get("supersedes", []))),
        "sources": record_sources(store, r.get("statements", []), lang),
    } for r in line]


def _conflicts(decision: Decision) -> list[dict[str, Any]]:
    """The records that answer together because their sources disagree (same start, same
    product, different statuses): shown, never settled by picking one."""
    if not decision.conflict:
        return []
    tied = list(decision.conflict)
    return [{"as_of": tied[0].get("asOf"), "product": tied[0]["recordProduct"].rsplit("/", 1)[-1],
             "records": [r["record"] for r in tied],
             "statuses": sorted({r["status"] for r in tied})}]


def _measure_json(store: Store, measure: dict[str, Any], lang: str) -> dict[str, Any]:
    labels = measure["labels"]
    label = labels.get(lang) or labels.get("en") or measure["measure"].rsplit("/", 1)[-1]
    return {"measure": measure["measure"], "kind": measure["kind"], "label": label,
            "start": _date_json(measure["start"], measure["start_precision"]),
            "end": _date_json(measure["end"], measure["end_precision"]),
            "quantity": measure["quantity"], "unit": measure["unit"],
            "products": sorted(p.rsplit("/", 1)[-1] for p in measure["products"]),
            "all_markets": measure["all_markets"],
            "sources": record_sources(store, sorted(measure["statements"]), lang)}


def _answer(store: Store, product: str, market: str, lang: str,
            exporter: str, at: AsOf) -> dict[str, Any]:
    products = product_index(store)
    markets = market_index(store)
    exporter_iri = str(MARKET[exporter])
    rows = records_for(store, exporter_iri, market, product)
    decision = decide_all(products, product, rows, at.day)
    chosen, via = decision.row, decision.via

    product_label = products.label(product, lang)
    market_label = markets.label(market, lang)

    def product_json(iri: str) -> dict[str, Any]:
        return {"id": iri.rsplit("/", 1)[-1], "iri": iri, "label": products.label(iri, lang),
                "hs_codes": sorted(products.codes.get(iri, []))}

    def inferences(row: Row) -> list[dict[str, Any]]:
        return record_inferences(store, row["record"], lang) if row.get("inferred") == "true" else []

    def as_of_json(row: Row) -> dict[str, Any] | None:
        return _date_json(row.get("asOf"), row.get("precision"))

    partial = []
    for item in sorted(decision.narrower,
                       key=lambda c: (products.label(c.product, lang), c.row["record"])):
        row = item.row
        partial.append({
            "product": product_json(item.product),
            "via": product_json(item.via) if item.via else None,
            "status": row["status"],
            "status_label": status_label(store, row["status"], lang),
            "permitted": permits(store, row["status"]),
            "veterinary_requirements": _vet(store, row, lang),
            "as_of": row.get("asOf"),
            "record": row["record"],
            "sources": record_sources(store, row["statements"], lang),
            "inferred": inferences(row),
        })

    def narrower_names() -> str:
        return "; ".join(NARROWER_ITEM["via" if x["via"] else "direct"][lang].format(
            product=x["product"]["label"], status=x["status_label"],
            via=x["via"]["label"] if x["via"] else "") for x in partial)

    history = _history(store, products, product, rows, decision, at.day, lang)
    measures = [_measure_json(store, m, lang) for m in
                measures_in_force(store, products, exporter_iri, market, product, at.day)]
    answer: dict[str, Any] = {
        "product": product_json(product),
        "market": {"code": markets.alpha2.get(market), "iri": market, "label": market_label},
        "exporter": {"code": exporter, "iri": exporter_iri,
                     "label": markets.label(exporter_iri, lang)},
        "lang": lang,
        "as_of_asked": at.text,
        "coverage": None,
    }
    status = decision.status
    label = status_label(store, status, lang)
    if decision.conflict:
        tied = list(decision.conflict)
        answer |= {
            "status": CONFLICT, "status_label": label, "permitted": False,
            "permitted_reading": permitted_reading(CONFLICT, lang, label),
            "via": None, "veterinary_requirements": None,
            "as_of": as_of_json(tied[0]), "record": None,
            "sources": record_sources(store, [s for r in tied for s in r["statements"]], lang),
            "inferred": [n for r in tied for n in inferences(r)],
        }
        message = MESSAGES["conflict"][lang].format(
            product=product_label, market=market_label,
            as_of=as_of_phrase(tied[0].get("asOf"), tied[0].get("precision"), lang),
            statuses="; ".join(sorted({status_label(store, r["status"], lang) for r in tied})))
    elif chosen is None and not decision.complete:
        answer |= {
            "status": UNKNOWN, "status_label": UNKNOWN_LABEL[lang], "permitted": None,
            "permitted_reading": permitted_reading(UNKNOWN, lang, UNKNOWN_LABEL[lang]),
            "via": None, "veterinary_requirements": None, "as_of": None, "record": None,
            "sources": [], "inferred": [],
        }
        if partial:
            message = MESSAGES["partial"][lang].format(product=product_label, market=market_label,
                                                       narrower=narrower_names())
        elif history:
            first = history[0]
            message = MESSAGES["not_yet"][lang].format(
                product=product_label, market=market_label, asked=at.text,
                first=as_of_phrase(first["as_of"], first["precision"], lang))
        else:
            message = MESSAGES["unknown"][lang].format(product=product_label, market=market_label)
    elif chosen is None:
        # By complete coverage: the records within the product answer together.
        covering = [item.row for item in decision.narrower]
        latest = max(covering, key=lambda r: (effective_start(r), r["record"]))
        vets = {r.get("vetStatus") for r in covering}
        notes: list[dict[str, Any]] = []
        for row in covering:
            notes += [n for n in inferences(row) if n not in notes]
        answer |= {
            "status": status, "status_label": label, "permitted": permits(store, status),
            "permitted_reading": permitted_reading(status, lang, label),
            "via": None,
            "coverage": {"complete": True, "records": [x["record"] for x in partial],
                         "products": [x["product"]["id"] for x in partial]},
            "veterinary_requirements": _vet(store, covering[0], lang) if len(vets) == 1 else None,
            "as_of": as_of_json(latest), "record": None,
            "sources": record_sources(store, [st for r in covering for st in r["statements"]],
                                      lang),
            "inferred": notes,
        }
        message = MESSAGES["complete"][lang].format(
            status=label, product=product_label, market=market_label, narrower=narrower_names(),
            as_of=as_of_phrase(latest.get("asOf"), latest.get("precision"), lang))
    else:
        answer |= {
            "status": status,
            "status_label": label,
            "permitted": permits(store, status),
            "permitted_reading": permitted_reading(status, lang, label),
            "via": product_json(via) if via else None,
            "veterinary_requirements": _vet(store, chosen, lang),
            "as_of": as_of_json(chosen),
            "record": chosen["record"],
            "sources": record_sources(store, chosen["statements"], lang),
            "inferred": inferences(chosen),
        }
        template = MESSAGES["via" if via else "direct"][lang]
        message = template.format(status=label, product=product_label, market=market_label,
                                  as_of=as_of_phrase(chosen.get("asOf"), chosen.get("precision"),
                                                     lang),
                                  via=products.label(via, lang) if via else "")
    ban = next((m for m in measures if m["kind"] == "ban"), None)
    if ban is not None:  # the exporter's own ban stops supply whatever the market says
        answer["permitted"] = False
        answer["permitted_reading"] = permitted_reading(status, lang, label, ban)
        said = BAN_VALUE[lang].format(measure=ban["label"])
        message += f" {said[0].upper()}{said[1:]}."
    answer |= {"partial": partial, "message": message, "history": history,
               "conflicts": _conflicts(decision), "exporter_measures": measures}
    return answer


def validated(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer, checked against the shared model (graph.answers.models.AccessAnswer) that
    /access declares as its response model. The CLI checks what it prints and the tests check
    every answer they see; the API's hot path does not pay for it (a few ms per answer)."""
    AccessAnswer.model_validate(answer)
    return answer
