"""The words of each language (graph/answers/messages.py): no English UI word is left on a
Kazakh or Russian page or error, counts follow CLDR's plural rules, and names stay in the
nominative. The English UI words are derived from the message tables themselves."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from types import ModuleType
from typing import ClassVar
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

import api.routes.explore
import graph.answers.check
import graph.answers.messages
from api.app import create_app
from graph import PROJECT_DIR
from graph.answers.messages import count
from graph.settings import Settings

LATIN = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
PLACEHOLDER = re.compile(r"\{[^}]*\}")
CATALOGUES: tuple[ModuleType, ...] = (graph.answers.messages, graph.answers.check,
                                      api.routes.explore)


def _entries(node: object) -> Iterator[dict[str, str]]:
    """Every {en, ru, kk} entry of a message table, however deeply it is nested; an entry whose
    languages hold forms (counts by plural category) gives one entry per form."""
    if isinstance(node, dict):
        if {"en", "ru", "kk"} <= node.keys():
            values = [node[lang] for lang in ("en", "ru", "kk")]
            if all(isinstance(v, str) for v in values):
                yield {lang: node[lang] for lang in ("en", "ru", "kk")}
                return
            if all(isinstance(v, dict) for v in values):
                yield {lang: " ".join(node[lang].values()) for lang in ("en", "ru", "kk")}
                return
        for value in node.values():
            yield from _entries(value)


# A message naming the query parameter it is about opens with the parameter's name, a code
# the user typed ("market: рынок «…» не найден"), not a word of the language.
PARAMETER = re.compile(r"^[a-z_]+: ")
# Codes inside a text: prefixed names (agk:Market), paths (/dataset) and HTTP header names
# (Agrikg-Result-Truncated) are written as they are in any language.
CODES = re.compile(r"\b[a-z]+:[A-Za-z]\w*|(?<![\w/])/[a-z][\w/.-]*|\b[A-Z][a-z]+(?:-[A-Z][a-z]+)+\b")


def _latin(text: str) -> set[str]:
    return {w.casefold() for w in LATIN.findall(
        CODES.sub(" ", PLACEHOLDER.sub(" ", PARAMETER.sub(" ", text))))}


def vocabulary() -> tuple[set[str], set[str]]:
    """(English UI words, Latin words the Kazakh and Russian texts keep: names and acronyms
    such as agrikg, SPARQL, API, ISO), both from the message tables."""
    english: set[str] = set()
    kept: set[str] = set()
    for module in CATALOGUES:
        for value in vars(module).values():
            for entry in _entries(value):
                english |= _latin(entry["en"])
                kept |= _latin(entry["ru"]) | _latin(entry["kk"])
    return english - kept, kept


UI_WORDS, KEPT = vocabulary()


class VisibleText(HTMLParser):
    """The text a reader of the page's language sees: without scripts and styles, without what
    is marked as another language (lang=...) or as not to be translated (translate=no: codes,
    IRIs, names), with the attributes read out to people (aria-label, title, placeholder, alt)."""

    VOID: ClassVar[set[str]] = {"area", "base", "br", "col", "embed", "hr", "img", "input",
                                "link", "meta", "source", "track", "wbr", "option"}

    def __init__(self, lang: str):
        super().__init__()
        self.lang = lang
        self.stack: list[bool] = []  # per open element: is its content hidden from the check
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        hidden = bool(self.stack and self.stack[-1]) or tag in ("script", "style", "code") or \
            a.get("translate") == "no" or (a.get("lang") not in (None, self.lang) and tag != "html")
        if not hidden:
            self.parts += [a[k] or "" for k in ("aria-label", "title", "placeholder", "alt")
                           if k in a]
        if tag not in self.VOID:
            self.stack.append(hidden)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible(html: str, lang: str) -> str:
    parser = VisibleText(lang)
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _ontology_keeps() -> set[str]:
    """The Latin words the ontology's own Kazakh and Russian labels keep ("ISO 3166-1
    alpha-2")."""
    graph = Graph()
    for path in sorted((PROJECT_DIR / "ontology").glob("*.ttl")):
        graph.parse(path, format="turtle")
    # A code value a definition quotes ("open", "agreed": the values of a colour role) is a
    # code, not a word the language keeps: "open" in a Kazakh sentence is still English.
    return {w for _, _, label in graph if getattr(label, "language", None) in ("kk", "ru")
            for w in _latin(re.sub(r'"[^"]*"', " ", str(label)))}


KEPT |= _ontology_keeps()


def latin_words(text: str) -> set[str]:
    """The Latin-letter words of a text, folded, codes left out (ISO codes are 2-3 capitals)."""
    return {w.casefold() for w in LATIN.findall(text) if not re.fullmatch(r"[A-Z]{2,3}", w)}


def foreign(text: str) -> set[str]:
    """The Latin-letter words of a Kazakh or Russian text that are neither kept names nor
    codes (ISO codes; the graph's ids, written in lower case with hyphens: kz-ir-cattle)."""
    return {w for w in latin_words(text) - KEPT if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", w)}


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


PAGES = [
    "/", "/?product=wheat&market=CN", "/?product=0204&market=IR", "/?product=mutton&market=IR",
    "/?product=beef&market=AE", "/?product=baran&market=IR", "/?product=1&market=CN",
    "/?product=wheat&market=Rusia", "/?product=honey&market=DE",
    "/product/beef", "/market/IR", "/market/DE", "/record/kz-ir-cattle",
    "/statement/china-market-open", "/document/kz-gov-meeting-report", "/access-status/open",
    "/vet-status/agreed", "/agent/arman-evniev", "/role/vice-minister-of-agriculture-kz",
    "/product", "/dataset", "/product/nothing-here", "/no-such-page",
]


def test_the_english_words_are_derived_from_the_tables() -> None:
    # The derivation itself works: UI words are found, names and acronyms are kept.
    assert {"product", "market", "source", "records", "dataset", "analytics"} <= UI_WORDS
    assert {"agrikg", "sparql", "api"} <= KEPT
    assert not {"agrikg", "sparql", "api"} & UI_WORDS


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("path", PAGES)
def test_no_english_ui_word_on_a_kazakh_or_russian_page(client, path, lang) -> None:
    sep = "&" if "?" in path else "?"
    response = client.get(f"{path}{sep}lang={lang}", headers={"Accept": "text/html"})
    assert response.status_code in (200, 404), response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in response.text
    text = visible(response.text, lang)
    for typed in parse_qs(urlsplit(path).query).values():  # what the user typed, quoted back
        text = text.replace(typed[0], " ")
    words = latin_words(text)
    assert not words & UI_WORDS, (sorted(words & UI_WORDS), text)
    assert not foreign(text), (sorted(foreign(text)), text)


def test_the_check_hides_nothing_it_should_see() -> None:
    # A check that cannot fail is a defect: English in the page's own language is caught,
    # English marked as English (a translation) is not.
    page = ('<html lang="ru"><p>Рынок: <b>market open</b></p>'
            '<p lang="en">Market open</p><code>agk:market</code></html>')
    text = visible(page, "ru")
    assert "market" in latin_words(text) & UI_WORDS
    assert foreign(text) == {"market", "open"}


JSON_ERRORS = [
    ("/access", {"product": "zzqx", "market": "CN"}, 404),
    ("/access", {"product": "1", "market": "CN"}, 404),
    ("/access", {"product": "wheat", "market": "Xyzzyland"}, 404),
    ("/access", {"product": "wheat", "market": "Congo"}, 404),
    ("/markets/Germny", {}, 404),
    ("/products/bef", {}, 404),
    ("/sources/china-market", {}, 404),
    ("/access", {"market": "CN"}, 422),
    ("/access", {"product": "", "market": "CN"}, 422),
    ("/products", {"limit": "0"}, 422),
    ("/products", {"limit": "many"}, 422),
    ("/product/nothing-here", {}, 404),
    ("/record/a%20b", {}, 404),
]


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize(("path", "params", "status"), JSON_ERRORS)
def test_json_errors_are_said_in_the_asked_language(client, path, params, status, lang) -> None:
    for asked in ({"params": params | {"lang": lang}},
                  {"params": params, "headers": {"Accept-Language": f"{lang},en;q=0.5"}}):
        response = client.get(path, **asked)
        assert response.status_code == status, response.text
        body = response.json()
        detail = re.sub(r"<[^>]*>", " ", body["detail"])  # an IRI is no word
        # What the user typed (in the path too), the parameter's name, and the suggestions
        # (names in the asked language, ids) are the user's and the data's, not UI words.
        for known in sorted([*params.values(), unquote(path.rsplit("/", 1)[-1]),
                             *(e["parameter"] for e in body.get("errors", [])),
                             *body.get("closest_matches", [])],
                            key=len, reverse=True):
            detail = detail.replace(known, " ") if known else detail
        assert re.search("[а-яА-ЯёЁәғқңөұүһі]", detail), detail
        assert not foreign(detail), (sorted(foreign(detail)), body["detail"])
        if body.get("hint"):
            assert not foreign(body["hint"]), body["hint"]


@pytest.fixture(scope="module")
def store_down_client(settings: Settings) -> Iterator[TestClient]:
    """The API over a SPARQL endpoint that does not answer (nothing listens on port 9)."""
    app = create_app(Settings(home=settings.home, endpoint="http://127.0.0.1:9/query"))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_server_side_and_method_errors_are_said_in_the_asked_language(client, store_down_client,
                                                                      lang) -> None:
    """A 503 (the store does not answer) and a 405 say what happened and what to do in the
    user's language; the store's own words stay in parentheses."""
    down = store_down_client.get("/access", params={"product": "wheat", "market": "CN",
                                                    "lang": lang})
    method = client.delete("/access", params={"lang": lang})
    assert (down.status_code, method.status_code) == (503, 405)
    for body in (down.json()["detail"], method.json()["detail"]):
        ours = re.sub(r"\([^)]*\)", " ", body).replace("/access", " ")
        for known in ("DELETE", "GET", "HEAD"):
            ours = ours.replace(known, " ")
        assert re.search("[а-яА-ЯёЁәғқңөұүһі]", ours) and not foreign(ours), body
    assert "127.0.0.1:9" in down.json()["detail"]  # the store's words, kept


def test_english_errors_keep_their_wording(client) -> None:
    body = client.get("/access", params={"product": "wheet", "market": "CN"}).json()
    assert body["detail"].startswith("no product matches 'wheet'; closest matches: ")
    hint = client.get("/access", params={"product": "1", "market": "CN"}).json()
    assert hint["hint"] == "An HS code has 2 to 6 digits, e.g. 0201 or 1001.99."
    assert hint["closest_matches"] == []


@pytest.mark.parametrize(("number", "noun", "lang", "text"), [
    (1, "node", "en", "1 node"), (3, "node", "en", "3 nodes"), (0, "link", "en", "0 links"),
    (1, "node", "ru", "1 узел"), (3, "node", "ru", "3 узла"), (5, "node", "ru", "5 узлов"),
    (11, "node", "ru", "11 узлов"), (21, "link", "ru", "21 связь"), (22, "link", "ru", "22 связи"),
    (14, "record", "ru", "14 записей"), (2, "market", "ru", "2 рынка"),
    (1, "node", "kk", "1 түйін"), (3, "node", "kk", "3 түйін"), (25, "record", "kk", "25 жазба"),
    (1234, "product", "ru", "1\u00a0234 продукта"), (1234, "product", "en", "1,234 products"),
])
def test_counts_take_the_plural_form_cldr_gives(number, noun, lang, text) -> None:
    assert count(number, noun, lang) == text


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_hs_abbreviation_is_the_languages_own(client, lang) -> None:
    page = client.get("/", params={"product": "wheat", "market": "CN", "lang": lang}).text
    abbreviation = {"ru": "ТН ВЭД", "kk": "СЭҚ ТН"}[lang]
    assert f'<p class="hs">{abbreviation} ' in page
    assert ">HS " not in page and "(HS " not in page
