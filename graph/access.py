"""The market-access check: may the exporter ship PRODUCT to MARKET, under what veterinary
status, and who said so?

Open world: no record means status "unknown" and `permitted: null`, never a prohibition.
A record on a broader product covers the asked product, and the answer says so (`via`).
Records on narrower products are listed as `partial` coverage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.namespaces import AGK, MARKET
from graph.queries import IRI, select
from graph.resolve import (
    ProductIndex,
    Resolved,
    market_index,
    product_index,
    resolve_market,
    resolve_product,
)
from graph.store import Row, Store, cached, lru

UNKNOWN = "unknown"
PERMITTED = {
    "open": True,
    "requirements-agreed": True,
    "restriction-lifted": True,
    "restricted": False,
    "requirements-planned": False,
}
# "unknown" is not a concept of the graph (absence is not a status), so its words live here.
UNKNOWN_LABEL = {"kk": "Белгісіз", "ru": "Неизвестно", "en": "Unknown"}
ACCESS_SCHEME = "https://w3id.org/agrikg/access-status"
VET_SCHEME = "https://w3id.org/agrikg/vet-status"
MESSAGES = {
    "direct": {
        "en": "{status}: {product} to {market}, as of {as_of}.",
        "ru": "{status}: {product} — {market}, по состоянию на {as_of}.",
        "kk": "{status}: {product} — {market}, {as_of} жылғы жағдай бойынша.",
    },
    "via": {
        "en": "{status}: {product} to {market}, inherited from {via}: the record is on {via}, "
              "which covers {product}. As of {as_of}.",
        "ru": "{status}: {product} — {market}, унаследовано от «{via}»: запись сделана на "
              "«{via}», что охватывает «{product}». По состоянию на {as_of}.",
        "kk": "{status}: {product} — {market}, «{via}» тобынан мұраланған: жазба «{via}» "
              "бойынша, ол «{product}» өнімін қамтиды. {as_of} жылғы жағдай бойынша.",
    },
    "unknown": {
        "en": "Unknown: the graph holds no information about {product} in {market}. "
              "This is not a prohibition; no source in the graph speaks of it.",
        "ru": "Неизвестно: в графе нет сведений о «{product}» на рынке «{market}». "
              "Это не запрет: ни один источник графа об этом не говорит.",
        "kk": "Белгісіз: графта «{product}» өнімінің «{market}» нарығына қатысты мәлімет жоқ. "
              "Бұл тыйым емес: графтағы бірде-бір дереккөз бұл туралы айтпайды.",
    },
    "partial": {
        "en": "Unknown for {product} as a whole in {market}: the graph has records only on "
              "narrower products ({narrower}). Check the exact product.",
        "ru": "Неизвестно для «{product}» в целом на рынке «{market}»: записи есть только по "
              "более узкой продукции ({narrower}). Уточните продукцию.",
        "kk": "«{product}» тұтас алғанда «{market}» нарығы үшін белгісіз: жазбалар тек тар "
              "өнімдер бойынша бар ({narrower}). Нақты өнімді көрсетіңіз.",
    },
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
                                 first.get("document"))
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
            prop = row["property"].removeprefix(str(AGK))
            out.append({"field": _FIELD_NAMES.get(prop, prop),
                        "reason": row.get("reason") or row.get("reasonEn")})
        return out

    return cached(store, f"inferences:{record}:{lang}", make)


_FIELD_NAMES = {"asOf": "as_of", "market": "market", "product": "product",
                "accessStatus": "status", "veterinaryRequirementStatus": "veterinary_requirements"}


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


def _pick(rows: list[Row]) -> Row:
    """Among records at the same level, the most recent as-of date wins."""
    return max(rows, key=lambda r: (r.get("asOf", ""), r["record"]))


def decide(products: ProductIndex, product: str, rows: list[Row]) -> tuple[Row | None, str | None]:
    """The record that answers for `product` among records on it or on broader products:
    its own record first, else the nearest broader one (returned as `via`); the most recent
    as-of date breaks ties."""
    direct = [r for r in rows if r["recordProduct"] == product]
    if direct:
        return _pick(direct), None
    ancestors = products.ancestors(product)
    inherited = [r for r in rows if r["recordProduct"] in ancestors]
    if not inherited:
        return None, None
    nearest = min(ancestors[r["recordProduct"]] for r in inherited)
    chosen = _pick([r for r in inherited if ancestors[r["recordProduct"]] == nearest])
    return chosen, chosen["recordProduct"]


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


def _answer(store: Store, product: str, market: str, lang: str,
            exporter: str) -> dict[str, Any]:
    products = product_index(store)
    markets = market_index(store)
    exporter_iri = str(MARKET[exporter])
    rows = access_rows(store, "access_check", product, market, exporter_iri)
    chosen, via = decide(products, product, rows)
    # Records on narrower products: asked only when the product has narrower products.
    narrower = (access_rows(store, "access_partial", product, market, exporter_iri)
                if products.narrower.get(product) else [])

    product_label = products.label(product, lang)
    market_label = markets.label(market, lang)

    def product_json(iri: str) -> dict[str, Any]:
        return {"id": iri.rsplit("/", 1)[-1], "iri": iri, "label": products.label(iri, lang),
                "hs_codes": sorted(products.codes.get(iri, []))}

    partial = []
    for row in sorted(narrower, key=lambda r: (products.label(r["recordProduct"], lang), r["record"])):
        partial.append({
            "product": product_json(row["recordProduct"]),
            "status": row["status"],
            "status_label": status_label(store, row["status"], lang),
            "permitted": PERMITTED.get(row["status"]),
            "veterinary_requirements": _vet(store, row, lang),
            "as_of": row.get("asOf"),
            "record": row["record"],
            "sources": record_sources(store, row["statements"], lang),
        })

    answer: dict[str, Any] = {
        "product": product_json(product),
        "market": {"code": markets.alpha2.get(market), "iri": market, "label": market_label},
        "exporter": {"code": exporter, "iri": exporter_iri,
                     "label": markets.label(exporter_iri, lang)},
        "lang": lang,
    }
    if chosen is None:
        answer |= {
            "status": UNKNOWN, "status_label": UNKNOWN_LABEL[lang], "permitted": None,
            "via": None, "veterinary_requirements": None, "as_of": None, "record": None,
            "sources": [], "inferred": [],
        }
        if partial:
            names = ", ".join(f"{x['product']['label']}: {x['status_label']}" for x in partial)
            message = MESSAGES["partial"][lang].format(product=product_label, market=market_label,
                                                       narrower=names)
        else:
            message = MESSAGES["unknown"][lang].format(product=product_label, market=market_label)
    else:
        status = chosen["status"]
        as_of = chosen.get("asOf")
        inferred = chosen.get("inferred") == "true"
        answer |= {
            "status": status,
            "status_label": status_label(store, status, lang),
            "permitted": PERMITTED[status],
            "via": product_json(via) if via else None,
            "veterinary_requirements": _vet(store, chosen, lang),
            "as_of": {"value": as_of, "precision": chosen.get("precision")} if as_of else None,
            "record": chosen["record"],
            "sources": record_sources(store, chosen["statements"], lang),
            "inferred": record_inferences(store, chosen["record"], lang) if inferred else [],
        }
        template = MESSAGES["via" if via else "direct"][lang]
        message = template.format(status=status_label(store, status, lang), product=product_label,
                                  market=market_label, as_of=as_of or "?",
                                  via=products.label(via, lang) if via else "")
    answer["partial"] = partial
    answer["message"] = message
    return answer
