"""Turn what a user types into a product or a market of the graph.

Products: an id, a label or synonym in Kazakh, Russian or English (case, ё/е, diacritics and
Kazakh-specific letters folded), or an HS code of 2-6 digits with or without dots and spaces
(the most specific product whose code is a prefix of it). Markets: ISO 3166-1 alpha-2,
alpha-3 or numeric code, or a name in any of the three languages: the CLDR name, pycountry's
ISO names, or a curated everyday or historical one (graph/data/markets.csv). A market name
that two markets share lists both instead of picking one.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import accumulate

from graph.errors import ResolveError
from graph.namespaces import MARKET, PRODUCT
from graph.store.backends import Store, cached
from graph.store.named_queries import each

# Kazakh letters a Russian keyboard lacks, folded to the letter people type instead.
_KAZAKH = str.maketrans({"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у",
                         "һ": "х", "і": "и"})
_HS = re.compile(r"^\s*\d[\d.\s]*$")


def fold(text: str) -> str:
    """Case, diacritics (ё->е, й->и, é->e), Kazakh letters, invisible characters and
    punctuation folded away."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    # Combining marks go, and so do invisible format characters (zero-width spaces, joiners,
    # bidirectional controls) that copy-paste brings along.
    stripped = "".join(c for c in decomposed
                       if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")
    stripped = stripped.translate(_KAZAKH)
    stripped = re.sub(r"[\"'‘’‚‛`´«»“”„()\[\].,;:!?]", " ", stripped)
    stripped = re.sub(r"[-_/]+", " ", stripped)
    return " ".join(stripped.split())


class NameTable:
    """folded name -> the products it names, read-only: the names sorted in one UTF-8 string
    with where each ends, and the number of the one product each names (of the few that name
    several, their products apart). At 10^6 triples 27,535 names take 1.6 MB here against
    4.3 MB as a dict of strings."""

    _SEVERAL = 2**32 - 1

    def __init__(self, by_name: dict[str, set[str]]):
        names = sorted(by_name)  # code-point order, which is UTF-8's byte order
        encoded = [name.encode() for name in names]
        # A newline between names: a folded text has none, so a part found never spans two.
        self._text = b"\n".join(encoded)
        self._ends = array("I", accumulate(len(e) + 1 for e in encoded))
        self._products = tuple(sorted({p for found in by_name.values() for p in found}))
        number = {product: i for i, product in enumerate(self._products)}
        self._one = array("I", (number[next(iter(by_name[n]))] if len(by_name[n]) == 1
                                else self._SEVERAL for n in names))
        self._several = {i: tuple(sorted(by_name[n])) for i, n in enumerate(names)
                         if len(by_name[n]) > 1}

    def __len__(self) -> int:
        return len(self._ends)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NameTable) and vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]

    def _name(self, i: int) -> bytes:
        return self._text[self._ends[i - 1] if i else 0:self._ends[i] - 1]

    def _found(self, i: int) -> tuple[str, ...]:
        one = self._one[i]
        return self._several[i] if one == self._SEVERAL else (self._products[one],)

    def get(self, folded: str) -> tuple[str, ...]:
        """The products `folded` names, or none."""
        key = folded.encode()
        i = bisect_left(range(len(self)), key, key=self._name)
        return self._found(i) if i < len(self) and self._name(i) == key else ()

    def items(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        for i in range(len(self)):
            yield self._name(i).decode(), self._found(i)

    def containing(self, part: str) -> Iterator[tuple[str, tuple[str, ...]]]:
        """The names that hold `part` (a folded text), with their products, each once."""
        key, at = part.encode(), 0
        while (found := self._text.find(key, at)) >= 0:
            i = bisect_left(self._ends, found + len(key) + 1)
            yield self._name(i).decode(), self._found(i)
            at = self._ends[i]


@dataclass
class ProductIndex:
    # product -> language -> prefLabel; after `compact`, a tuple in the order of `label_langs`
    labels: dict[str, dict[str, str]] | dict[str, tuple[str | None, ...]] = field(
        default_factory=lambda: defaultdict(dict))
    label_langs: tuple[str, ...] = ()
    codes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    broader: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    narrower: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    # folded name (label, synonym or id) -> the products it names; a NameTable after `compact`
    by_name: dict[str, set[str]] | NameTable = field(default_factory=lambda: defaultdict(set))
    # folded prefLabel -> the products it is the prefLabel of; after `compact`, only where
    # that differs from `by_name` (see `named`)
    by_pref: dict[str, set[str]] | dict[str, tuple[str, ...]] = field(
        default_factory=lambda: defaultdict(set))

    def add_name(self, product: str, name: str) -> None:
        self.by_name[name].add(product)  # type: ignore[index]

    def compact(self) -> None:
        """Freeze the maps the served index only reads, once made: the names into a NameTable;
        the labels, the codes and the hierarchy into tuples (a product's three labels: 88
        bytes, against 184 for a dict); the prefLabel entries that name the same products as
        `by_name` (most of them) go."""
        labels: dict[str, dict[str, str]] = self.labels  # type: ignore[assignment]
        self.label_langs = tuple(sorted({lang for names in labels.values() for lang in names}))
        self.labels = {product: tuple(names.get(lang) for lang in self.label_langs)
                       for product, names in labels.items()}
        names: dict[str, set[str]] = self.by_name  # type: ignore[assignment]
        self.by_pref = {key: tuple(sorted(found)) for key, found in self.by_pref.items()
                        if set(found) != names[key]}
        self.by_name = NameTable(names)
        for table in (self.codes, self.broader, self.narrower):
            for key, values in table.items():
                table[key] = tuple(values)  # type: ignore[assignment]

    def names(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """Every folded name with the products it names."""
        for name, found in self.by_name.items():
            yield name, tuple(found)

    def named(self, folded: str) -> tuple[str, ...]:
        """The products a folded name picks: those it is the prefLabel of, else all it names
        (a synonym of one product does not compete with another's prefLabel)."""
        return tuple(self.by_pref.get(folded) or self.by_name.get(folded) or ())

    def containing(self, part: str) -> Iterator[tuple[str, tuple[str, ...]]]:
        """The folded names that hold `part`, with the products they name (in the served,
        compacted index)."""
        return self.by_name.containing(part)  # type: ignore[union-attr]

    def depth(self, product: str) -> int:
        """Longest path to a top concept: the deeper, the more specific."""
        parents = self.broader.get(product, [])
        return 1 + max((self.depth(p) for p in parents), default=-1)

    def ancestors(self, product: str) -> dict[str, int]:
        """Every broader product with its distance (1 = parent), nearest distance kept."""
        found: dict[str, int] = {}
        frontier, distance = [product], 0
        while frontier:
            distance += 1
            nxt = []
            for node in frontier:
                for parent in self.broader.get(node, []):
                    if parent not in found:
                        found[parent] = distance
                        nxt.append(parent)
            frontier = nxt
        return found

    def descendants(self, product: str) -> set[str]:
        """Every narrower product, at any depth (a product with several broader products is
        reached through each of them)."""
        found: set[str] = set()
        frontier = [product]
        while frontier:
            nxt = [child for node in frontier for child in self.narrower.get(node, [])
                   if child not in found]
            found.update(nxt)
            frontier = nxt
        return found

    def label(self, product: str, lang: str) -> str:
        names = self.labels.get(product, {})
        if isinstance(names, tuple):
            langs = self.label_langs
            return ((lang in langs and names[langs.index(lang)])
                    or ("en" in langs and names[langs.index("en")]) or product.rsplit("/", 1)[-1])
        return names.get(lang) or names.get("en") or product.rsplit("/", 1)[-1]


@dataclass
class MarketIndex:
    labels: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    codes: dict[str, str] = field(default_factory=dict)  # any code (upper) -> market IRI
    alpha2: dict[str, str] = field(default_factory=dict)  # market IRI -> alpha-2
    by_name: dict[str, set[str]] | dict[str, tuple[str, ...]] = field(
        default_factory=lambda: defaultdict(set))
    # (lang, folded prefLabel) -> markets: the standard (CLDR) name in the asked language
    # settles a name another language or an older name gives to a second market.
    by_pref: dict[tuple[str, str], set[str]] | dict[tuple[str, str], tuple[str, ...]] = field(
        default_factory=lambda: defaultdict(set))

    def label(self, market: str, lang: str) -> str:
        names = self.labels.get(market, {})
        return names.get(lang) or names.get("en") or self.alpha2.get(market, market)

    def link(self, market: str, lang: str) -> dict[str, str]:
        return {"code": self.alpha2.get(market, ""), "iri": market, "label": self.label(market, lang)}


def product_index(store: Store) -> ProductIndex:
    """Built once per store from the `product_index` query."""
    return cached(store, "product_index", lambda: _product_index(store))


def _product_index(store: Store) -> ProductIndex:
    index = ProductIndex()
    # One string object per IRI and per folded name, however many rows and maps hold it.
    one: dict[str, str] = {}
    for row in each(store, "product_index"):
        product, kind = one.setdefault(row["product"], row["product"]), row["kind"]
        value = one.setdefault(row["value"], row["value"]) if kind == "broader" else row["value"]
        if kind == "hs":
            index.codes[product].append(value)
        elif kind == "broader":
            index.broader[product].append(value)
            index.narrower[value].append(product)
        else:
            folded = fold(value)
            folded = one.setdefault(folded, folded)
            if kind == "pref":
                index.labels[product][row.get("lang", "")] = value
                index.by_pref[folded].add(product)
            index.add_name(product, folded)
    for product in index.labels:
        folded = fold(product.rsplit("/", 1)[-1])
        index.add_name(product, one.setdefault(folded, folded))
    index.compact()
    return index


def market_index(store: Store) -> MarketIndex:
    """Built once per store from the `market_index` query."""
    return cached(store, "market_index", lambda: _market_index(store))


def _market_index(store: Store) -> MarketIndex:
    index = MarketIndex()
    for row in each(store, "market_index"):
        market, kind, value = row["market"], row["kind"], row["value"]
        if kind in ("alpha2", "alpha3", "numeric"):
            index.codes[value.upper()] = market
            if kind == "alpha2":
                index.alpha2[market] = value
        else:
            if kind == "pref":
                index.labels[market][row.get("lang", "")] = value
                index.by_pref[row.get("lang", ""), fold(value)].add(market)
            index.by_name[fold(value)].add(market)
    # Read-only from here: a tuple is a fifth of a set's size.
    index.by_name = {name: tuple(sorted(found)) for name, found in index.by_name.items()}
    index.by_pref = {key: tuple(sorted(found)) for key, found in index.by_pref.items()}
    return index


@dataclass(frozen=True)
class Resolved:
    """What a user's text resolved to, and how (for the answer's explanation)."""

    iri: str
    matched_by: str  # "id", "label", "hs-code", "iso-code"
    query: str


def _suggest(text: str, names: Mapping[str, set[str] | tuple[str, ...]], limit: int = 5,
             min_part: int = 1) -> list[str]:
    """The IRIs whose names come closest to `text`: near spellings first, then names that
    contain it or that it contains (names shorter than `min_part` only by spelling, so that
    "uk" is not offered for "Ukraina")."""
    folded = fold(text)
    close = difflib.get_close_matches(folded, list(names), n=limit * 3, cutoff=0.6)
    close += [name for name in names if folded and len(name) >= min_part
              and (folded in name or name in folded)]
    return list(dict.fromkeys(iri for name in close for iri in sorted(names[name])))


def resolve_product(store: Store, text: str, lang: str = "en") -> Resolved:
    index = product_index(store)
    query = (text or "").strip()
    if not query:
        raise ResolveError("product", text, [])
    if _HS.match(query):
        return _resolve_hs(index, query, lang)
    if query.startswith(str(PRODUCT)) and query in index.labels:
        return Resolved(query, "id", text)
    folded = fold(query)
    candidates = index.named(folded)
    if len(candidates) == 1:
        return Resolved(next(iter(candidates)), "label", text)
    if len(candidates) > 1:
        # The same word names several products: prefer the most general, the usual meaning.
        best = sorted(candidates, key=lambda p: (index.depth(p), p))
        return Resolved(best[0], "label", text)

    def show(iri: str) -> str:
        codes = ", ".join(index.codes.get(iri, [])[:3])
        return f"{index.label(iri, lang)} ({codes})" if codes else index.label(iri, lang)

    # Several IRIs can share a label in one language: one suggestion per label shown.
    close: dict[str, str] = {}
    for iri in _suggest(query, dict(index.names())):
        close.setdefault(show(iri), iri)
    picked = list(close.items())[:5]
    raise ResolveError("product", text, [shown for shown, _ in picked],
                       [{"id": iri.rsplit("/", 1)[-1], "iri": iri, "label": index.label(iri, lang)}
                        for _, iri in picked])


def _resolve_hs(index: ProductIndex, query: str, lang: str) -> Resolved:
    digits = re.sub(r"\D", "", query)
    if not 2 <= len(digits) <= 10:
        raise ResolveError("product", query, [], hint="hs_digits")
    digits = digits[:6]
    # The longest code, then the deepest product, then the narrowest scope (fewest codes: 0407
    # is eggs, not poultry products with 0207 and 0408), then the id, so a tie never depends
    # on the order of the rows.
    matches = [(len(code), index.depth(p), -len(codes), p) for p, codes in index.codes.items()
               for code in codes if digits.startswith(code)]
    if matches:
        return Resolved(max(matches)[3], "hs-code", query)
    narrower = sorted({p for p, codes in index.codes.items()
                       for code in codes if code.startswith(digits)},
                      key=lambda p: (index.depth(p), p))
    shown = [f"{index.label(p, lang)} ({', '.join(index.codes[p][:3])})" for p in narrower[:5]]
    raise ResolveError("product", query, shown,
                       [{"id": p.rsplit("/", 1)[-1], "iri": p, "label": index.label(p, lang)}
                        for p in narrower[:5]])


def resolve_market(store: Store, text: str, lang: str = "en") -> Resolved:
    """An ISO code, an IRI, or a name in any language. A name that belongs to several markets
    ("Congo") is not settled by a guess: it raises with every one of them (`ambiguous`),
    unless it is the standard name in the asked language."""
    index = market_index(store)
    query = (text or "").strip()
    if not query:
        raise ResolveError("market", text, [])
    code = query.upper()
    if code in index.codes:
        return Resolved(index.codes[code], "iso-code", text)
    if query.startswith(str(MARKET)) and query in index.alpha2:
        return Resolved(query, "id", text)
    folded = fold(query)
    candidates = index.by_pref.get((lang, folded)) or index.by_name.get(folded, ())
    if len(candidates) == 1:
        return Resolved(next(iter(candidates)), "label", text)
    found = sorted(candidates) or _suggest(query, index.by_name, min_part=4)[:5]

    def show(iri: str) -> str:
        return f"{index.label(iri, lang)} ({index.alpha2.get(iri, '')})"

    raise ResolveError("market", text, [show(m) for m in found],
                       [index.link(m, lang) for m in found], ambiguous=bool(candidates))
