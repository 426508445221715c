"""The change feed: every change of access status of a pair (exporter, market, product), computed
from its dated records, with the sources that state it. `/changes.atom` and `agrikg changes`
both call `changes`; the feed is written by `atom`.

A pair's records are ordered by their effective start (year -> 1 January, month -> the 1st: the
one as-of rule's reading, graph.answers.dates.start). A record is a change when its status
differs from what answered before it: the record with the latest earlier start, or, when
records before it share that start with different statuses, the conflict between them
("conflict"), or, for the pair's first record, nothing (`unknown`: no information, never a
prohibition). A record repeating the status before it is no change. Records sharing a start
with different statuses are marked `conflict`, each one whose status differs from the one
before is a change, and the entry names every status of that date: the feed shows the
disagreement and never picks one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlencode

from graph.answers.check import UNKNOWN, UNKNOWN_LABEL, status_label
from graph.answers.dates import start as start_of
from graph.answers.messages import CHANGES, as_of_phrase
from graph.answers.resolve import market_index, product_index, resolve_market, resolve_product
from graph.errors import ResolveError
from graph.namespaces import BASE, MARKET
from graph.store.backends import Row, Store, cached, lru
from graph.store.named_queries import IRI, select

LANGS = ("kk", "ru", "en")
FEEDS_KEPT, FEED_BYTES_KEPT = 64, 32 * 2**20  # feeds written, kept per build (by count, bytes)
MAX_FILTER = 200  # characters of a market or product filter (a name or code is far shorter)
CONFLICT = "conflict"
_ATOM = "{http://www.w3.org/2005/Atom}"
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class BadFilter(ValueError):
    """A filter of the change feed that cannot be read: `message` says in the asked language what
    was given and what is accepted (the API answers it with 400, the CLI exits 2)."""

    def __init__(self, parameter: str, value: str, message: str):
        self.parameter = parameter
        self.value = value
        self.message = message
        super().__init__(message)


def period_start(value: str, precision: str | None = None) -> date | None:
    """The first day of a date's period ("2018" -> 2018-01-01, "2022-02" -> 2022-02-01), as the
    one as-of rule reads it (graph.answers.dates.start); None when it is no date."""
    if not value or not _DATE.match(value.strip()[:10]):
        return None
    try:
        return start_of(value.strip(), precision)
    except ValueError:
        return None


def parse_since(text: str | None, lang: str) -> date | None:
    """`since` as the user gives it (YYYY, YYYY-MM or YYYY-MM-DD): the first day it names, so
    `--since 2024` keeps every change of 2024."""
    if text is None or text == "":
        return None
    start = period_start(text) if _DATE.match(text.strip()) else None
    if start is None:
        raise BadFilter("since", text, CHANGES["bad_since"][lang].format(text=text, param="since"))
    return start


def _resolve(store: Store, kind: str, text: str, lang: str) -> str:
    """A market or product filter to its IRI; one that matches nothing, or several things, is a
    BadFilter saying so in the asked language, with the closest matches."""
    try:
        resolved = (resolve_market if kind == "market" else resolve_product)(store, text, lang)
    except ResolveError as exc:
        matches = ", ".join(exc.suggestions)
        if exc.ambiguous:
            message = CHANGES["ambiguous"][lang].format(kind=kind, text=text, matches=matches)
        else:
            hint = CHANGES["hint"][lang].format(matches=matches) if matches else ""
            message = CHANGES[f"bad_{kind}"][lang].format(text=text, hint=hint, param=kind)
        raise BadFilter(kind, text, message) from None
    return resolved.iri


@dataclass(frozen=True)
class _Record:
    iri: str
    market: str
    product: str
    status: str
    as_of: str
    precision: str | None
    start: date
    report_date: str | None
    report_precision: str | None
    sources: tuple[dict[str, Any], ...]


def _records(store: Store, exporter: str, lang: str) -> list[_Record]:
    """Every dated record of the exporter with its sources (asked once per build and language)."""
    def make() -> list[_Record]:
        rows: dict[str, list[Row]] = {}
        for row in select(store, "status_changes", exporter=IRI(str(MARKET[exporter])),
                          lang=lang):
            rows.setdefault(row["record"], []).append(row)
        records = []
        for iri, group in rows.items():
            first = group[0]
            start = period_start(first["asOf"], first.get("precision"))
            if start is None:  # an as-of that is no date (a graph built --from anything)
                continue
            sources: dict[str, dict[str, Any]] = {}
            for row in group:
                if row.get("statement") and row["statement"] not in sources:
                    sources[row["statement"]] = {
                        "statement": row["statement"], "quote": row.get("quote"),
                        "quote_lang": row.get("quoteLang") or None,
                        "translation": row.get("translation"),
                        "document": row.get("document"),
                        "document_label": row.get("documentLabel"), "url": row.get("url"),
                        "publisher": row.get("publisher"), "published": row.get("published"),
                        "published_precision": row.get("publishedPrecision")}
            records.append(_Record(iri, first["market"], first["product"], first["status"],
                                   first["asOf"], first.get("precision"), start,
                                   first.get("reportDate"), first.get("reportPrecision"),
                                   tuple(sources[k] for k in sorted(sources))))
        return records

    return cached(store, f"change_records:{exporter}:{lang}", make)


def _pair_changes(records: list[_Record]) -> list[tuple[_Record, list[_Record], bool]]:
    """The changes of one pair, oldest first: (record, the records answering before it, whether
    records of its own start disagree)."""
    by_start: dict[date, list[_Record]] = {}
    for record in records:
        by_start.setdefault(record.start, []).append(record)
    found: list[tuple[_Record, list[_Record], bool]] = []
    before: list[_Record] = []
    for start in sorted(by_start):
        group = sorted(by_start[start], key=lambda r: r.iri)
        statuses = {r.status for r in group}
        previous = {r.status for r in before}
        conflict = len(statuses) > 1
        for record in group:
            if len(previous) != 1 or record.status not in previous:
                found.append((record, before, conflict))
        before = group
    return found


def changes(store: Store, lang: str = "en", market: str | None = None,
            product: str | None = None, since: str | None = None,
            exporter: str = "KZ") -> list[dict[str, Any]]:
    """Every status change of the exporter's pairs, newest first. `market` and `product` are
    what a user types (codes, names, HS codes); a product keeps the changes on it, on the
    products within it and on the broader groups whose records reach it. `since` (YYYY,
    YYYY-MM or YYYY-MM-DD) keeps the changes that took effect on or after the first day it
    names. A filter that cannot be read raises BadFilter."""
    lang = lang if lang in LANGS else "en"
    for parameter, value in (("market", market), ("product", product), ("since", since)):
        if value and len(value) > MAX_FILTER:
            raise BadFilter(parameter, value[:MAX_FILTER], CHANGES["too_long"][lang].format(
                parameter=parameter, limit=MAX_FILTER, length=len(value)))
    start = parse_since(since, lang)
    market_iri = _resolve(store, "market", market, lang) if market else None
    products = product_index(store)
    wanted: set[str] | None = None
    if product:
        product_iri = _resolve(store, "product", product, lang)
        wanted = {product_iri, *products.descendants(product_iri), *products.ancestors(product_iri)}
    pairs: dict[tuple[str, str], list[_Record]] = {}
    for record in _records(store, exporter, lang):
        if market_iri and record.market != market_iri:
            continue
        if wanted is not None and record.product not in wanted:
            continue
        pairs.setdefault((record.market, record.product), []).append(record)
    out = []
    for records in pairs.values():
        for record, before, conflict in _pair_changes(records):
            if start is None or record.start >= start:
                out.append(_change_json(store, record, before, conflict, records, lang, exporter))
    out.sort(key=lambda c: (c["start"], c["record"]), reverse=True)
    return out


def _change_json(store: Store, record: _Record, before: list[_Record], conflict: bool,
                 pair: list[_Record], lang: str, exporter: str) -> dict[str, Any]:
    products = product_index(store)
    markets = market_index(store)
    old_statuses = sorted({r.status for r in before})
    old = old_statuses[0] if len(old_statuses) == 1 else CONFLICT if old_statuses else UNKNOWN
    old_label = (CHANGES["conflict"][lang] if old == CONFLICT else UNKNOWN_LABEL[lang]
                 if old == UNKNOWN else status_label(store, old, lang))
    new_label = status_label(store, record.status, lang)
    product_label = products.label(record.product, lang)
    market_label = markets.label(record.market, lang)
    same_start = sorted({r.status for r in pair if r.start == record.start})
    change = {
        "record": record.iri,
        "id": record.iri.rsplit("/", 1)[-1],
        "exporter": {"code": exporter, "iri": str(MARKET[exporter])},
        "market": {"code": markets.alpha2.get(record.market), "iri": record.market,
                   "label": market_label},
        "product": {"id": record.product.rsplit("/", 1)[-1], "iri": record.product,
                    "label": product_label,
                    "hs_codes": sorted(products.codes.get(record.product, []))},
        "old_status": old,
        "old_status_label": old_label,
        "old_statuses": old_statuses,
        "old_records": [r.iri for r in before],
        "status": record.status,
        "status_label": new_label,
        "as_of": record.as_of,
        "precision": record.precision,
        "start": record.start.isoformat(),
        "report_date": record.report_date,
        "report_precision": record.report_precision,
        "conflict": conflict,
        "conflict_statuses": same_start if conflict else [],
        "sources": list(record.sources),
    }
    words = {"product": product_label, "market": market_label, "old": old_label,
             "new": new_label, "as_of": as_of_phrase(record.as_of, record.precision, lang)}
    change["title"] = CHANGES["entry_title"][lang].format(**words)
    summary = [CHANGES["entry_summary"][lang].format(**words)]
    if conflict:
        summary.append(CHANGES["entry_conflict"][lang].format(statuses=", ".join(
            status_label(store, s, lang) for s in same_start)))
    for source in record.sources:
        details = [source["publisher"]] if source["publisher"] else []
        if source["published"]:
            details.append(as_of_phrase(source["published"], source["published_precision"], lang))
        summary.append(CHANGES["entry_source"][lang].format(
            document=source["document_label"] or source["document"] or "?",
            details=f" ({', '.join(details)})" if details else "",
            quote=" ".join((source["quote"] or "").split())))
    change["summary"] = " ".join(summary)
    return change


def _instant(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(0, 0), tzinfo=UTC)


def atom(store: Store, base_url: str, lang: str = "en", market: str | None = None,
         product: str | None = None, since: str | None = None, exporter: str = "KZ",
         self_url: str | None = None) -> bytes:
    """The status changes as an Atom 1.0 feed (RFC 4287), written by feedgen. Each entry is one
    change: its id the record's IRI, its alternate link the record's linked-data page on this
    server, a `via` link to each source document's URL, `updated` the day the change became
    known (the report date, else the effective start), `published` the effective start."""
    lang = lang if lang in LANGS else "en"
    feeds = lru(store, "change_feeds", FEEDS_KEPT, FEED_BYTES_KEPT)
    key = (base_url, lang, market, product, since, exporter, self_url)
    body = feeds.get(key)
    if body is None:
        body = _atom(store, base_url, lang, market, product, since, exporter, self_url)
        feeds.put(key, body, len(body))
    return body  # type: ignore[return-value]


def _atom(store: Store, base_url: str, lang: str, market: str | None, product: str | None,
          since: str | None, exporter: str, self_url: str | None) -> bytes:
    from feedgen.feed import FeedGenerator  # only for the feed

    found = changes(store, lang, market=market, product=product, since=since, exporter=exporter)
    base = base_url.rstrip("/")
    feed = FeedGenerator()
    # The feed's id names the filters as resolved (a market's code, a product's id, the day
    # since), so that "Қытай" and "CN" are one feed, and the id is a valid IRI whatever was typed.
    named = {"market": market_index(store).alpha2.get(_resolve(store, "market", market, lang))
             if market else None,
             "product": _resolve(store, "product", product, lang).rsplit("/", 1)[-1]
             if product else None,
             "since": parse_since(since, lang).isoformat() if since else None}
    query = urlencode({k: v for k, v in named.items() if v})
    feed.id(f"{BASE}changes" + (f"?{query}" if query else ""))
    feed.title(CHANGES["feed_title"][lang])
    feed.subtitle(CHANGES["feed_subtitle"][lang])
    feed.author({"name": "agrikg"})
    feed.language(lang)
    feed.link(href=self_url or f"{base}/changes.atom", rel="self", type="application/atom+xml")
    feed.link(href=f"{base}/?lang={lang}", rel="alternate", type="text/html")
    feed.generator("agrikg")
    newest = datetime(1970, 1, 1, tzinfo=UTC)
    links: list[list[dict[str, str]]] = []  # each entry's links, written in after feedgen
    for change in found:
        entry = feed.add_entry(order="append")
        entry.id(change["record"])
        entry.title(change["title"])
        effective = _instant(change["start"])
        report = period_start(change["report_date"] or "", change["report_precision"])
        known = max(effective, _instant(report.isoformat())) if report else effective
        newest = max(newest, known)
        entry.published(effective)
        entry.updated(known)
        own = [{"href": base + "/" + change["record"][len(BASE):], "rel": "alternate",
                "type": "text/html"}]
        own += [{"href": s["url"], "rel": "via", "title": s["document_label"] or s["url"]}
                for s in change["sources"] if s["url"]]
        for link in own:
            entry.link(**link)
        links.append(own)
        entry.summary(change["summary"])
        entry.category(term=change["status"], label=change["status_label"],
                       scheme=f"{BASE}access-status")
    feed.updated(newest if found else _built_at(store))
    return _with_link_attributes(feed.atom_str(pretty=True), links)


def _built_at(store: Store) -> datetime:
    """When the served graph was built: the date of a feed without entries."""
    for row in select(store, "dataset_modified"):
        try:
            return datetime.fromisoformat(row["modified"].replace("Z", "+00:00"))
        except ValueError:
            break
    return datetime(1970, 1, 1, tzinfo=UTC)


def _with_link_attributes(xml: bytes, links: list[list[dict[str, str]]]) -> bytes:
    """feedgen 1.0 writes an entry's links with their href only, dropping rel, type and title
    (so a source's `via` link would read as a second `alternate`): they are set here, entry by
    entry, in the order given."""
    from lxml import etree

    root = etree.fromstring(xml)
    for entry, wanted in zip(root.iter(f"{_ATOM}entry"), links, strict=True):
        for element, link in zip(entry.iter(f"{_ATOM}link"), wanted, strict=True):
            for name, value in link.items():
                element.set(name, value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
