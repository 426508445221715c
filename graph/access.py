"""The market-access check: may the exporter ship PRODUCT to MARKET, under what veterinary
status, and who said so?

Open world: no record means status "unknown" and `permitted: null`, never a prohibition.
A record on a broader product covers the asked product, and the answer says so (`via`).
Records on narrower products are listed as `partial` coverage.
"""

from __future__ import annotations

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
from graph.store import Row, Store, cached

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


def record_sources(store: Store, record: str, lang: str) -> list[dict[str, Any]]:
    """The statements a record rests on, as the answer shows them."""
    sources = []
    for row in select(store, "record_sources", record=IRI(record), lang=lang):
        sources.append({
            "statement": row["statement"],
            "speaker": row.get("speakerLabel"),
            "role": row.get("roleLabel"),
            "event": row.get("eventLabel"),
            "event_date": row.get("eventDate"),
            "document": row.get("document"),
            "document_label": row.get("documentLabel"),
            "direct_speech": row.get("directSpeech") == "true",
            "quote_kk": row["quote"],
            "translation_en": row.get("translationEn"),
            "translation": row.get("translation") or row.get("translationEn"),
            "translation_lang": lang if row.get("translation") else "en",
        })
    return sources


def record_inferences(store: Store, record: str, lang: str) -> list[dict[str, Any]]:
    """Which values of a record were inferred rather than stated, and why."""
    out = []
    for row in select(store, "record_inferences", record=IRI(record), lang=lang):
        prop = row["property"].removeprefix(str(AGK))
        out.append({"field": _FIELD_NAMES.get(prop, prop),
                    "reason": row.get("reason") or row.get("reasonEn")})
    return out


_FIELD_NAMES = {"asOf": "as_of", "market": "market", "product": "product",
                "accessStatus": "status", "veterinaryRequirementStatus": "veterinary_requirements"}


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


def check(store: Store, product: str, market: str, lang: str = "en",
          exporter: str = "KZ") -> dict[str, Any]:
    """Answer the access question; raises ResolveError for a product or market not found."""
    lang = lang if lang in ("kk", "ru", "en") else "en"
    p = resolve_product(store, product, lang)
    m = resolve_market(store, market, lang)
    return check_resolved(store, p, m, lang, exporter)


def check_resolved(store: Store, p: Resolved, m: Resolved, lang: str,
                   exporter: str = "KZ") -> dict[str, Any]:
    products = product_index(store)
    markets = market_index(store)
    rows = select(store, "access_check", product=IRI(p.iri), market=IRI(m.iri),
                  exporter=IRI(str(MARKET[exporter])))
    chosen, via = decide(products, p.iri, [r for r in rows if r["relation"] == "self-or-broader"])
    narrower = [r for r in rows if r["relation"] == "narrower"]

    product_label = products.label(p.iri, lang)
    market_label = markets.label(m.iri, lang)

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
            "sources": record_sources(store, row["record"], lang),
        })

    answer: dict[str, Any] = {
        "product": product_json(p.iri) | {"matched_by": p.matched_by, "query": p.query},
        "market": {"code": markets.alpha2.get(m.iri), "iri": m.iri,
                   "label": market_label, "matched_by": m.matched_by, "query": m.query},
        "exporter": {"code": exporter, "iri": str(MARKET[exporter]),
                     "label": markets.label(str(MARKET[exporter]), lang)},
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
        answer |= {
            "status": status,
            "status_label": status_label(store, status, lang),
            "permitted": PERMITTED[status],
            "via": product_json(via) if via else None,
            "veterinary_requirements": _vet(store, chosen, lang),
            "as_of": {"value": as_of, "precision": chosen.get("precision")} if as_of else None,
            "record": chosen["record"],
            "sources": record_sources(store, chosen["record"], lang),
            "inferred": record_inferences(store, chosen["record"], lang),
        }
        template = MESSAGES["via" if via else "direct"][lang]
        message = template.format(status=status_label(store, status, lang), product=product_label,
                                  market=market_label, as_of=as_of or "?",
                                  via=products.label(via, lang) if via else "")
    answer["partial"] = partial
    answer["message"] = message
    return answer
