"""The routes of api/routes/explore.py in process (TestClient, fast tier): /explore as a page
(filters, plurals, the message when nothing matches, compression) and /analytics negotiated
between its JSON and its page, with the matrix as CSV and as an Excel file."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from html import unescape

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.answers.analytics import stats
from graph.answers.check import status_label
from graph.answers.listings import list_markets
from graph.settings import Settings

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
LANGS = ("kk", "ru", "en")
# The day the first report's year records start (later records supersede many of them).
SEED = "2018-01-01"


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(home=settings.home, endpoint=None))) as client:
        yield client


def _text(html: str) -> str:
    """What a reader sees: the page without its scripts, styles and tags."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


# -- /analytics --------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", [None, "application/json", "*/*"])
def test_analytics_keeps_its_json_for_other_clients(client, embedded, accept) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/analytics", params={"lang": "ru"}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == stats(embedded, "ru")
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize(("lang", "title", "lifted"), [
    ("kk", "Нарыққа қол жеткізу талдауы", "«Шошқа етінен басқа ет» тобы бойынша"),
    ("ru", "Аналитика доступа на рынки", "по группе «Мясо, кроме свинины»"),
    ("en", "Market access analytics", "from the group “Meat other than pork”"),
])
def test_analytics_is_a_page_for_browsers(client, embedded, lang, title, lifted) -> None:
    # as of the first report's day: China open, Iran agreed, the UAE inherited
    response = client.get("/analytics", params={"lang": lang, "as_of": SEED}, headers=BROWSER)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert f"<h1>{title}</h1>" in html and f'<html lang="{lang}">' in html
    # beef in the UAE: inherited from its group, drawn in the colour of its status's role
    beef = re.search(r'<tr data-product="beef">(.*?)</tr>', html, re.S).group(1)
    cell = re.compile(r'class="cell status-(\w+) role-\w+" data-status="([\w-]+)"'
                      r'(?: title="([^"]*)")?>([^<]*)')
    cells = [(m.groups() if (m := cell.match(td)) else None) for td in beef.split("<td ")[1:]]
    head = re.search(r'<thead><tr><th scope="col">[^<]*</th>(.*?)</tr></thead>', html).group(1)
    columns = dict(zip(re.findall(r'<th scope="col">([^<]*)</th>', head), cells, strict=True))
    names = {m["code"]: m["label"] for m in list_markets(embedded, lang)}
    china, uae = columns[names["CN"]], columns[names["AE"]]
    assert china[:2] == ("open", "open") and uae[:2] == ("lifted", "restriction-lifted")
    assert unescape(uae[2]) == lifted
    assert uae[3].strip() == status_label(embedded, "restriction-lifted", lang) + " ↑"
    for section in ("matrix", "reach", "pending", "centrality"):
        assert f'id="{section}"' in html
    assert not re.search(r'(src|href)="(https?:)?//', html), "a resource outside the server"


@pytest.mark.parametrize("lang", LANGS)
def test_the_matrix_downloads_as_csv_with_headers_in_the_language(client, embedded, lang) -> None:
    response = client.get("/analytics/matrix.csv", params={"lang": lang})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())  # Excel reads the text as UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:2] == {"kk": ["Өнім", "СЭҚ ТН кодтары"], "ru": ["Продукция", "Коды ТН ВЭД"],
                          "en": ["Product", "HS codes"]}[lang]
    result = stats(embedded, lang)
    assert header[2:] == [m["label"] for m in result["markets"]]
    wheat = next(r for r in rows if r[0] == next(p["label"] for p in result["products"]
                                                 if p["product"] == "wheat"))
    china = header.index(next(m["label"] for m in result["markets"] if m["market"] == "CN"))
    assert wheat[china] == status_label(embedded, "open", lang)
    iran = header.index(next(m["label"] for m in result["markets"] if m["market"] == "IR"))
    assert wheat[iran] == ""  # no record: an empty cell, never "prohibited"
    assert len(rows) - 1 == len(result["products"])


@pytest.mark.parametrize("lang", LANGS)
def test_the_matrix_downloads_as_an_excel_file(client, embedded, lang) -> None:
    from openpyxl import load_workbook

    response = client.get("/analytics/matrix.xlsx", params={"lang": lang})
    assert response.status_code == 200
    assert response.headers["content-type"] == \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    csv_rows = list(csv.reader(io.StringIO(
        client.get("/analytics/matrix.csv", params={"lang": lang}).content.decode("utf-8-sig"))))
    values = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert values == csv_rows  # the same table, cell for cell
    assert sheet["A1"].font.bold and sheet.freeze_panes == "C2"
    header = values[0]
    beef = next(i for i, r in enumerate(values) if r[0] == next(
        p["label"] for p in stats(embedded, lang)["products"] if p["product"] == "beef")) + 1
    uae = header.index(next(m["label"] for m in stats(embedded, lang)["markets"]
                            if m["market"] == "AE")) + 1
    cell = sheet.cell(row=beef, column=uae)
    assert cell.value.startswith(status_label(embedded, "restriction-lifted", lang))
    assert cell.fill.fgColor.rgb.upper().endswith("0969DA")  # the colour of the role "lifted"


def test_a_matrix_in_an_unknown_format_is_refused(client) -> None:
    response = client.get("/analytics/matrix.pdf")
    assert response.status_code == 422
    assert "csv" in response.text and "xlsx" in response.text


# -- /explore ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "counts"), [
    ("kk", "14 түйін · 16 байланыс"), ("ru", "14 узлов · 16 связей"), ("en", "14 nodes · 16 links"),
])
def test_explore_counts_with_plurals(client, lang, counts) -> None:
    html = client.get("/explore", params={"market": "IR", "lang": lang, "as_of": SEED}).text
    assert re.search(r'<p id="counts"[^>]*>' + counts + "</p>", html), \
        re.search(r'<p id="counts".*?</p>', html).group(0)


def test_explore_lists_the_same_records_as_a_table(client) -> None:
    html = client.get("/explore", params={"market": "IR", "lang": "ru", "as_of": SEED}).text
    rows = re.findall(r'<tr data-product="([\w-]+)" data-market="(\w+)">', html)
    assert sorted(p for p, _ in rows) == ["beef", "cattle", "chilled-mutton", "edible-eggs",
                                          "frozen-mutton", "live-sheep"]
    assert {m for _, m in rows} == {"IR"}
    text = _text(html)
    assert "Требования согласованы" in text and "requirements-agreed" not in text
    assert 'role="img"' in html and "1 рынок, 13 продуктов, между ними 6 записей" in html


# Before the first restriction on record (poultry products to China, 2005) no record is
# "restricted"; as of the first report's day Saudi Arabia has no "open" record.
@pytest.mark.parametrize(("params", "as_of", "lang", "message"), [
    ({"status": "restricted"}, "2004", "ru", "Нет записей по фильтру «Статус: {restricted}»."),
    ({"status": "restricted"}, "2004", "en", "No record matches the filter “Status: {restricted}”."),
    # Saudi Arabia has records and so has "restricted" (China, Russia...), never together
    ({"status": "restricted", "market": "SA"}, None, "en",
     "Each filter matches records, but no record matches them together: Market: Saudi Arabia; "
     "Status: {restricted}."),
    ({"status": "open", "market": "SA"}, SEED, "kk", "Әр сүзгі жеке жазба табады, бірақ бірге "
                                                     "ешқайсысы табылмайды: Нарық: Сауд Арабиясы; "
                                                     "Мәртебе: {open}."),
])
def test_explore_says_which_filter_left_it_empty(client, embedded, params, as_of, lang,
                                                 message) -> None:
    response = client.get("/explore", params=params | {"lang": lang, "as_of": as_of})
    assert response.status_code == 200
    expected = message.format(restricted=status_label(embedded, "restricted", lang),
                              open=status_label(embedded, "open", lang))
    assert expected in _text(response.text), _text(response.text)[:600]


@pytest.mark.parametrize(("lang", "message"), [
    ("kk", "«Нарния» нарығы табылмады."), ("ru", "Рынок «Нарния» не найден."),
    ("en", "No market matches “Нарния”."),
])
def test_explore_a_market_not_found_is_a_page_for_browsers(client, lang, message) -> None:
    response = client.get("/explore", params={"market": "Нарния", "lang": lang}, headers=BROWSER)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert message in _text(response.text)
    json_clients = client.get("/explore", params={"market": "Нарния", "lang": lang})
    assert json_clients.status_code == 404 and json_clients.json()["kind"] == "market"


def test_explore_suggestions_are_links(client) -> None:
    response = client.get("/explore", params={"product": "говядна", "lang": "ru"}, headers=BROWSER)
    assert response.status_code == 404
    links = re.findall(r'<a href="(/explore\?[^"]+)">([^<]+)</a>', response.text)
    assert any("product=beef" in href and label == "Говядина" for href, label in links), links


def test_explore_form_keeps_the_filters_and_the_language_links_keep_them_too(client) -> None:
    html = client.get("/explore", params={"market": "IR", "status": "requirements-agreed",
                                          "as_of": "2020-01-01", "lang": "kk"}).text
    assert re.search(r'<input id="f-market" name="market" value="IR"', html)
    assert re.search(r'<option value="requirements-agreed" selected>', html)
    assert re.search(r'<input id="f-as-of" name="as_of" type="date" value="2020-01-01"', html)
    switch = re.search(r'<a href="([^"]+)" lang="ru">Русский</a>', html).group(1)
    assert "market=IR" in switch and "status=requirements-agreed" in switch and "lang=ru" in switch
    assert re.search(r'<a class="clear" href="/explore\?lang=kk">Сүзгілерді тазарту</a>', html)


def test_pages_are_compressed(client) -> None:
    response = client.get("/explore", params={"lang": "en"}, headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) < len(response.content) / 3
