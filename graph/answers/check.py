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
from typing import Any

from rdflib.namespace import SKOS

from graph.answers.hs_coverage import span
from graph.answers.messages import (
    FIELDS,
    PERMITTED_NOTE,
    PERMITTED_NOTE_UNKNOWN,
    PERMITTED_VALUE,
    as_of_phrase,
)
from graph.answers.resolve import (
    ProductIndex,
    Resolved,
    market_index,
    product_index,
    resolve_market,
    resolve_product,
)
from graph.namespaces import AGK, MARKET
from graph.store.backends import Row, Store, cached, lru
from graph.store.named_queries import IRI, select

UNKNOWN = "unknown"
# Whether supply is possible, as agrikg reads each status: no source states it (the answer's
# `permitted_reading` says so, and the status definitions in statuses.ttl say what each
# status means).
PERMITTED = {
    "open": True,
    "requirements-agreed": True,
    "restriction-lifted": True,
    "restricted": False,
    "requirements-planned": False,
}
# "unknown" is not a concept of the graph (absence is not a status), so its words live here.
UNKNOWN_LABEL = {"kk": "Мәлімет жоқ", "ru": "Нет данных", "en": "Unknown"}
ACCESS_SCHEME = "https://w3id.org/agrikg/access-status"
VET_SCHEME = "https://w3id.org/agrikg/vet-status"
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
              "группы «{product}» охватывают все её коды ГС ({narrower}). По состоянию на "
              "{as_of}.",
        "kk": "{status}: {product} — {market}, толық қамту бойынша: «{product}» тобына кіретін "
              "өнімдер бойынша жазбалар оның барлық HS кодтарын қамтиды ({narrower}). "
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
    return vocabulary(store).get(ACCESS_SCHEME, {}).get(code, {}).get(lang, code)


def _vet(store: Store, row: Row, lang: str) -> dict[str, str] | None:
    code = row.get("vetStatus")
    if not code:
        return None
    label = vocabulary(store).get(VET_SCHEME, {}).get(code, {}).get(lang, code)
    return {"code": code, "label": label}


@dataclass(frozen=True)
class Statement:
    """A source statement as the answer cites it, in every language at once."""

    iri: str
    quote: str
    translations: dict[str, str]
    direct_speech: bool
    speaker: str | None
    role: str | None
    event: str | None
    event_date: str | None
    event_date_inferred: bool
    document: str | None


def statements(store: Store) -> dict[str, Statement]:
    """Every source statement, read once per build: a check then looks its sources up instead
    of asking the store for them record by record (statements are few beside records)."""
    def make() -> dict[str, Statement]:
        rows: dict[str, list[Row]] = {}
        for row in select(store, "source_details"):
            rows.setdefault(row["statement"], []).append(row)
        out = {}
        for iri, group in rows.items():
            first = group[0]
            translations: dict[str, str] = {}
            for row in group:
                if row.get("translationLang"):
                    translations.setdefault(row["translationLang"], row["translation"])
            out[iri] = Statement(iri, first["quote"], translations,
                                 first.get("directSpeech") == "true", first.get("speaker"),
                                 first.get("role"), first.get("event"), first.get("eventDate"),
                                 first.get("eventDateInferred") == "true", first.get("document"))
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

        translation = s.translations.get(lang)
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
            "quote_kk": s.quote,
            "translation_en": s.translations.get("en"),
            "translation": translation or s.translations.get("en"),
            "translation_lang": lang if translation else "en",
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


def access_rows(store: Store, query: str, product: str, market: str | None,
                exporter: str) -> list[Row]:
    """Rows of `access_check` or `access_partial`, one per record, its source statements
    gathered in `statements` (the query gives one row per statement)."""
    rows = select(store, query, product=IRI(product), market=IRI(market) if market else None,
                  exporter=IRI(exporter))
    records: dict[str, Row] = {}
    for row in rows:
        kept = records.get(row["record"])
        if kept is None:
            kept = records[row["record"]] = row | {"statements": []}
        if row.get("statement"):
            kept["statements"].append(row["statement"])
    return list(records.values())


def other_groups(products: ProductIndex, product: str) -> list[str]:
    """The broader groups of the product's narrower products that are neither below it nor on
    its own line (table eggs, for hen eggs through edible hen eggs): their records reach the
    narrower products by another path. Most hierarchies have none."""
    below = products.descendants(product)
    line = {product, *products.ancestors(product)}
    return sorted({parent for child in below for parent in products.broader.get(child, [])
                   if parent not in below and parent not in line})


def rows_below(store: Store, products: ProductIndex, product: str, market: str | None,
               exporter: str) -> list[Row]:
    """Records that may answer for the product's narrower products: on them (`access_partial`),
    and on their other broader groups and those groups' broader products (`access_check`
    asked on each group). Asked only for a product with narrower products."""
    if not products.narrower.get(product):
        return []
    rows = access_rows(store, "access_partial", product, market, exporter)
    for group in other_groups(products, product):
        rows += access_rows(store, "access_check", group, market, exporter)
    return rows


def _pick(rows: list[Row]) -> Row:
    """Among records at the same level, the most recent as-of date wins (then the record id,
    so that every caller breaks a tie the same way)."""
    return max(rows, key=lambda r: (r.get("asOf") or "", r["record"]))


Rows = list[Row] | dict[str, list[Row]]


def _by_product(rows: Rows) -> dict[str, list[Row]]:
    if isinstance(rows, dict):
        return rows
    grouped: dict[str, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row["recordProduct"], []).append(row)
    return grouped


def decide(products: ProductIndex, product: str, rows: Rows) -> tuple[Row | None, str | None]:
    """The record that answers for `product` among records on it or on broader products:
    its own record first, else the nearest broader one through any of its broader paths
    (returned as `via`); the most recent as-of date breaks ties. `rows` may hold records on
    any product (each row names its `recordProduct`), or be them grouped by product."""
    by_product = _by_product(rows)
    if by_product.get(product):
        return _pick(by_product[product]), None
    ancestors = products.ancestors(product)
    inherited = [(distance, row) for parent, distance in ancestors.items()
                 for row in by_product.get(parent, [])]
    if not inherited:
        return None, None
    nearest = min(distance for distance, _ in inherited)
    chosen = _pick([row for distance, row in inherited if distance == nearest])
    return chosen, chosen["recordProduct"]


@dataclass(frozen=True)
class Covered:
    """A record that answers for a product within the asked one: on that product itself
    (`via` None), or on another broader group of it (`via` names the group)."""

    product: str
    row: Row
    via: str | None


@dataclass(frozen=True)
class Decision:
    """What answers for a product: a record (`row`, inherited when `via`), or, when none,
    the records answering for the products within it (`narrower`), which give its status
    when `complete` (they cover every HS subheading of it, all with one status)."""

    row: Row | None
    via: str | None
    narrower: list[Covered]
    complete: bool

    @property
    def status(self) -> str:
        if self.row is not None:
            return self.row["status"]
        return self.narrower[0].row["status"] if self.complete else UNKNOWN


def decide_all(products: ProductIndex, product: str, rows: Rows) -> Decision:
    """The one rule for which record answers, used by the check, the listings and analytics.
    `rows` may hold records on any product; only those on the product's line (itself, its
    broader products) and below it (its narrower products and their other broader groups)
    count."""
    by_product = _by_product(rows)
    row, via = decide(products, product, by_product)
    below = products.descendants(product) if products.narrower.get(product) else set()
    line = {product, *products.ancestors(product)}
    answers: dict[str, tuple[Row, str | None]] = {}
    for narrower in sorted(below, key=lambda p: (products.depth(p), p)):
        found, found_via = decide(products, narrower, by_product)
        if found is not None and found["recordProduct"] not in line:
            answers[narrower] = (found, found_via)
    shown: dict[str, Covered] = {}  # one entry per record, on the most general product it answers for
    for narrower, (found, _) in answers.items():
        if found["record"] in shown:
            continue
        on = found["recordProduct"]
        shown[found["record"]] = (Covered(on, found, None) if on in below
                                  else Covered(narrower, found, on))
    complete = False
    if row is None and answers:
        statuses = {found["status"] for found, _ in answers.values()}
        wanted = span(products.codes.get(product, []))
        covered: set[str] = set()
        for narrower in answers:
            covered |= span(products.codes.get(narrower, []))
        complete = len(statuses) == 1 and bool(wanted) and wanted <= covered
    return Decision(row, via, list(shown.values()), complete)


ANSWERS_KEPT = 4096  # answers kept per build (a few MB)


def check(store: Store, product: str, market: str, lang: str = "en",
          exporter: str = "KZ") -> dict[str, Any]:
    """Answer the access question; raises ResolveError for a product or market not found."""
    lang = lang if lang in ("kk", "ru", "en") else "en"
    p = resolve_product(store, product, lang)
    m = resolve_market(store, market, lang)
    return check_resolved(store, p, m, lang, exporter)


def check_resolved(store: Store, p: Resolved, m: Resolved, lang: str,
                   exporter: str = "KZ") -> dict[str, Any]:
    """The answer for resolved names. Answers are kept per build (bounded, least recently
    asked dropped first), so a repeated question costs no query; a rebuild opens a new store
    and with it an empty cache. Nested values are shared with the cache: do not modify them."""
    answers = lru(store, "answers", ANSWERS_KEPT)
    key = (p.iri, m.iri, lang, exporter)
    answer = answers.get(key)
    if answer is None:
        answer = _answer(store, p.iri, m.iri, lang, exporter)
        answers.put(key, answer)
    return answer | {  # type: ignore[operator]
        "product": answer["product"] | {"matched_by": p.matched_by, "query": p.query},  # type: ignore[index]
        "market": answer["market"] | {"matched_by": m.matched_by, "query": m.query},  # type: ignore[index]
    }


def permitted_reading(status: str, lang: str, label: str) -> dict[str, Any]:
    """The `permitted_reading` field: `permitted` is agrikg's reading of the status, not the
    source's words, and says what it means for this status."""
    if status == UNKNOWN:
        return {"stated_by_source": False, "derived_from": None,
                "text": PERMITTED_VALUE[UNKNOWN][lang], "note": PERMITTED_NOTE_UNKNOWN[lang]}
    return {"stated_by_source": False, "derived_from": "status",
            "text": PERMITTED_VALUE.get(status, {}).get(lang, status),
            "note": PERMITTED_NOTE[lang].format(status=label)}


def _answer(store: Store, product: str, market: str, lang: str,
            exporter: str) -> dict[str, Any]:
    products = product_index(store)
    markets = market_index(store)
    exporter_iri = str(MARKET[exporter])
    rows = access_rows(store, "access_check", product, market, exporter_iri)
    # Records below the product: asked only when the product has narrower products.
    seen = {r["record"] for r in rows}
    for row in rows_below(store, products, product, market, exporter_iri):
        if row["record"] not in seen:
            seen.add(row["record"])
            rows.append(row)
    decision = decide_all(products, product, rows)
    chosen, via = decision.row, decision.via

    product_label = products.label(product, lang)
    market_label = markets.label(market, lang)

    def product_json(iri: str) -> dict[str, Any]:
        return {"id": iri.rsplit("/", 1)[-1], "iri": iri, "label": products.label(iri, lang),
                "hs_codes": sorted(products.codes.get(iri, []))}

    def inferences(row: Row) -> list[dict[str, Any]]:
        return record_inferences(store, row["record"], lang) if row.get("inferred") == "true" else []

    def as_of_json(row: Row) -> dict[str, Any] | None:
        value = row.get("asOf")
        return {"value": value, "precision": row.get("precision")} if value else None

    partial = []
    for item in sorted(decision.narrower,
                       key=lambda c: (products.label(c.product, lang), c.row["record"])):
        row = item.row
        partial.append({
            "product": product_json(item.product),
            "via": product_json(item.via) if item.via else None,
            "status": row["status"],
            "status_label": status_label(store, row["status"], lang),
            "permitted": PERMITTED.get(row["status"]),
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

    answer: dict[str, Any] = {
        "product": product_json(product),
        "market": {"code": markets.alpha2.get(market), "iri": market, "label": market_label},
        "exporter": {"code": exporter, "iri": exporter_iri,
                     "label": markets.label(exporter_iri, lang)},
        "lang": lang,
        "coverage": None,
    }
    status = decision.status
    label = status_label(store, status, lang)
    if chosen is None and not decision.complete:
        answer |= {
            "status": UNKNOWN, "status_label": UNKNOWN_LABEL[lang], "permitted": None,
            "permitted_reading": permitted_reading(UNKNOWN, lang, UNKNOWN_LABEL[lang]),
            "via": None, "veterinary_requirements": None, "as_of": None, "record": None,
            "sources": [], "inferred": [],
        }
        if partial:
            message = MESSAGES["partial"][lang].format(product=product_label, market=market_label,
                                                       narrower=narrower_names())
        else:
            message = MESSAGES["unknown"][lang].format(product=product_label, market=market_label)
    elif chosen is None:
        # By complete coverage: the records within the product answer together.
        covering = [item.row for item in decision.narrower]
        latest = max(covering, key=lambda r: (r.get("asOf") or "", r["record"]))
        vets = {r.get("vetStatus") for r in covering}
        notes: list[dict[str, Any]] = []
        for row in covering:
            notes += [n for n in inferences(row) if n not in notes]
        answer |= {
            "status": status, "status_label": label, "permitted": PERMITTED[status],
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
            "permitted": PERMITTED[status],
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
    answer["partial"] = partial
    answer["message"] = message
    return answer
