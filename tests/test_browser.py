"""The pages in a real browser: Debian's Chromium driven by Playwright, against the real
server, with every request outside 127.0.0.1 blocked and recorded."""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlparse

import httpx
import pytest

from graph import DATA_DIR
from graph.build.builder import build
from graph.settings import Settings
from tests.helpers.servers import start_api

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"]

XSS = {
    "kk": '<script>window.__pwned = "kk"</script>Улы бал',
    "ru": '<img src=x onerror="window.__pwned = \'ru\'">Ядовитый мёд',
    "en": '<img src=x onerror="window.__pwned = \'en\'">Poison honey <b>bold</b>',
}


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed; `make test` installs it")
    with playwright_api.sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser) -> Iterator:
    """A fresh page whose requests may only go to 127.0.0.1; anything else is blocked and
    recorded in page.outside."""
    context, page = _local_page(browser)
    yield page
    context.close()


def _local_page(browser, **options) -> tuple:
    """A new context (with `options`, e.g. a viewport) and its page, requests off 127.0.0.1
    blocked and recorded in page.outside, script errors in page.errors."""
    context = browser.new_context(**options)
    outside: list[str] = []

    def only_local(route) -> None:
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:", "about:")) or host == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.outside = outside
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    return context, page


@pytest.fixture(scope="session")
def hostile_api(tmp_path_factory) -> Iterator[str]:
    """The API over a graph in which one product's labels carry HTML and script."""
    data = tmp_path_factory.mktemp("hostile-data")
    shutil.copytree(DATA_DIR, data, dirs_exist_ok=True)
    with (data / "products.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(["xss-test", "", "0410", XSS["kk"], XSS["ru"], XSS["en"], "",
                                     "", "", "A test product whose labels are hostile.", ""])
    with (data / "access.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(["kz-cn-xss", "KZ", "CN", "xss-test", "open", "", "2018",
                                     "year", "china-market-open", ""])
    settings = Settings(home=tmp_path_factory.mktemp("hostile-home"), data_dir=data)
    build(settings)
    yield from start_api(settings)


@pytest.mark.parametrize(("lang", "product", "market", "status", "words", "quote"), [
    ("kk", "бидай", "Қытай", "open",
     ["Нарық ашық", "Жеткізу мүмкіндігі (мәртебе бойынша)",
      "иә, импорттаушы елдің қолданыстағы талаптары сақталса",
      "Мәртебені біздің оқуымыз, дереккөздің сөзі емес", "(2018, жанама анықталған)",
      "Ағылшынша аудармасы"], "Қытай нарығы ашық"),
    ("ru", "говядина", "ОАЭ", "restriction-lifted",
     ["Ограничения сняты", "Поставка возможна (по статусу)", "да, ограничения сняты",
      "Наше прочтение статуса, а не слова источника",
      "Статус по более широкой группе «Мясо, кроме свинины».", "(2018, выведено)"],
     "шектеулер алынып тасталды"),
    ("en", "0204", "IR", "unknown",
     ["Unknown", "Records on products within this group", "Chilled mutton", "Frozen mutton"],
     "ветеринариялық талаптар келісілді"),
    ("en", "mutton", "IR", "requirements-agreed",
     ["Requirements agreed", "by complete coverage", "By complete coverage: these records",
      "Chilled mutton", "Frozen mutton", "(2018, inferred)"],
     "ветеринариялық талаптар келісілді"),
    ("ru", "шошқа еті", "ОАЭ", "unknown", ["Нет данных", "Свинина"], None),
    ("ru", "куриные яйца", "Иран", "unknown",
     ["Пищевые куриные яйца (ТН ВЭД 040721), по группе «Пищевые яйца»: Требования согласованы"],
     "тағамдық жұмыртқаны"),
])
def test_the_exporter_page_answers_in_each_language(page, api_embedded, lang, product, market,
                                                    status, words, quote) -> None:
    # The first report's picture: asked as of the day its 2018 records start (the form keeps
    # the date); later sources change several of these pairs.
    page.goto(f"{api_embedded}/?lang={lang}&as_of=2018-01-01")
    page.get_by_label({"kk": "Өнім", "ru": "Продукция", "en": "Product"}[lang],
                      exact=False).fill(product)
    page.get_by_label({"kk": "Нарық", "ru": "Рынок", "en": "Market"}[lang], exact=True).fill(market)
    page.get_by_role("button").click()
    card = page.locator("#answer article")
    card.wait_for()
    assert card.get_attribute("data-status") == status
    text = card.inner_text()
    for word in words:
        assert word in text, (word, text)
    if quote is None:  # no record: no quote, and nothing says supply is possible
        assert page.locator("#answer blockquote").count() == 0
        assert "да" not in card.locator(".permitted").inner_text().split()
    else:
        assert quote in page.locator("#answer blockquote[lang=kk]").first.inner_text()
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.outside == [] and page.errors == []


def test_the_language_switch_translates_the_page(page, api_embedded) -> None:
    page.goto(f"{api_embedded}/?product=wheat&market=CN&lang=en")
    assert "Market open" in page.locator("#answer").inner_text()
    page.get_by_role("link", name="Русский").click()
    assert "Рынок открыт" in page.locator("#answer").inner_text()
    assert "Проверить" in page.get_by_role("button").inner_text()


def test_suggestions_come_as_you_type(page, api_embedded) -> None:
    page.goto(f"{api_embedded}/?lang=ru")
    with page.expect_response(lambda r: "/products?" in r.url):
        page.get_by_label("Продукция", exact=False).type("баран", delay=30)
    page.wait_for_function(
        "[...document.querySelectorAll('#product-suggestions option')]"
        ".some(o => o.value === 'Баранина')")


def test_the_graph_view_draws_with_the_network_off(page, api_embedded) -> None:
    page.goto(f"{api_embedded}/explore?market=IR&lang=en&as_of=2018-01-01")
    page.wait_for_function("window.agrikgView && window.agrikgView.nodes > 0")
    assert page.locator("#graph canvas").count() == 1
    counts = page.locator("#counts")
    assert page.evaluate("window.agrikgView.nodes") == int(counts.get_attribute("data-nodes"))
    # Iran as of the first report: 6 records on 6 products, the market, and their groups.
    assert page.evaluate("window.agrikgView.nodes") == 14
    assert page.outside == [] and page.errors == []


def test_the_exporter_page_works_without_javascript(browser, api_embedded) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{api_embedded}/?lang=en&as_of=2018-01-01")  # the first report's picture
    page.get_by_label("Product", exact=False).fill("cattle")
    page.get_by_label("Market", exact=True).fill("Saudi Arabia")
    page.get_by_role("button").click()
    assert page.locator("#answer article").get_attribute("data-status") == "restriction-lifted"
    context.close()


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_hostile_labels_show_as_text_and_run_nothing(page, hostile_api, lang) -> None:
    # The exporter page: the label is shown literally, as the user typed it.
    page.goto(f"{hostile_api}/?product=xss-test&market=CN&lang={lang}")
    assert XSS[lang] in page.locator("#answer h2").inner_text()

    # The graph view: hover the product so its tooltip (label, HS code) is shown.
    page.goto(f"{hostile_api}/explore?product=xss-test&lang={lang}")
    page.wait_for_function("window.agrikgView && window.agrikgView.nodes > 0")
    position = page.evaluate("""() => {
        const net = window.agrikgView.network;
        const id = 'https://w3id.org/agrikg/product/xss-test';
        net.setOptions({physics: false});
        const p = net.canvasToDOM(net.getPositions([id])[id]);
        const box = document.getElementById('graph').getBoundingClientRect();
        return {x: p.x + box.left, y: p.y + box.top};
    }""")
    page.mouse.move(position["x"], position["y"])
    tooltip = page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5000)
    assert XSS[lang] in tooltip.inner_text()
    assert page.evaluate("window.__pwned") is None

    # The linked-data page and the SPARQL query page list the labels as text too.
    page.goto(f"{hostile_api}/product/xss-test?format=html")
    assert XSS[lang] in page.locator("main").inner_text()
    query = ("SELECT ?label WHERE { <https://w3id.org/agrikg/product/xss-test> "
             "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label }")
    page.goto(f"{hostile_api}/sparql?format=html&query={quote(query)}")
    assert XSS[lang] in page.locator("table").inner_text()
    page.wait_for_timeout(300)

    assert page.evaluate("window.__pwned") is None, "a label from the data ran as script"
    assert page.locator("img[onerror]").count() == 0
    assert page.outside == []


@pytest.mark.parametrize(("lang", "text", "words"), [
    ("ru", "шошка етти", ["Продукция «шошка етти» не найдена."]),
    ("kk", "шошқаа", ["«шошқаа» өнімі табылмады."]),
])
def test_a_product_not_found_is_said_in_the_page_language(page, api_embedded, lang, text,
                                                          words) -> None:
    page.goto(f"{api_embedded}/?lang={lang}&product={quote(text)}&market=AE")
    card = page.locator("#answer .card-error")
    card.wait_for()
    for word in words:
        assert word in card.inner_text()
    assert "no product matches" not in card.inner_text()


# -- /explore and /analytics as pages, in each language at desktop and phone widths -------------

SIZES = {1366: 900, 390: 844}
SHOW = {"kk": "Көрсету", "ru": "Показать", "en": "Show"}
IRAN = {"kk": "Иран", "ru": "Иран", "en": "Iran"}

# --- the query page and the ontology's documentation, in each language at desktop and phone width

WIDTHS = (1366, 390)
RUN = {"kk": "Орындау", "ru": "Выполнить", "en": "Run"}
NEXT = {"kk": "Келесі", "ru": "Вперёд", "en": "Next"}
RANGE = {"kk": "250 жолдың {}–{} аралығы", "ru": "Строки {}–{} из 250", "en": "Rows {}–{} of 250"}
POSITION = {"kk": "2-жол, 3-баған", "ru": "Строка 2, столбец 3", "en": "Line 2, column 3"}
EVERY_TRIPLE = ("SELECT * WHERE { ?s ?p ?o . ?s a <https://w3id.org/agrikg/ontology#Market> } "
                "ORDER BY ?s ?p ?o LIMIT 250")
BROKEN = "SELECT ?x WHERE {\n  ?x ?y\n}}"


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where the browser tests leave their screenshots (looked at by hand)."""
    return tmp_path_factory.mktemp("screenshots")


def _axe_clean(page) -> None:
    """axe-core (bundled with axe-playwright-python, injected into the page) finds nothing."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def _no_sideways_scroll(page) -> None:
    width, scroll = page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
    assert scroll <= width, f"the page scrolls sideways: {scroll} px wide in a {width} px window"


@pytest.mark.parametrize("width", SIZES)
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_explore_filters_in_each_language(page, api_embedded, screenshots, lang, width) -> None:
    page.set_viewport_size({"width": width, "height": SIZES[width]})
    page.goto(f"{api_embedded}/explore?lang={lang}")
    page.wait_for_function("window.agrikgView && window.agrikgView.nodes > 0")
    page.locator("#f-market").fill(IRAN[lang])
    page.locator("#f-status").select_option("requirements-agreed")
    page.get_by_role("button", name=SHOW[lang]).click()
    page.wait_for_url("**market=*")
    page.wait_for_function("window.agrikgView && window.agrikgView.nodes > 0")
    rows = page.locator("#records tbody tr")
    assert rows.count() == 5  # Iran's six records less the one whose requirements are planned
    assert {rows.nth(i).get_attribute("data-market") for i in range(5)} == {"IR"}
    counts = page.locator("#counts").inner_text()
    assert counts.startswith(str(page.evaluate("window.agrikgView.nodes")) + " ")
    shown = page.locator("body").inner_text()
    assert not [code for code in ("requirements-agreed", "requirements-planned", "restriction-lifted")
                if code in shown], "a status shown as its code"
    assert lang == "en" or "open" not in shown
    assert page.locator("#graph").bounding_box()["height"] > 300  # no strip on a phone
    _no_sideways_scroll(page)
    page.screenshot(path=screenshots / f"explore-{lang}-{width}.png", full_page=False)
    _axe_clean(page)


@pytest.mark.parametrize(("lang", "typed", "market", "picked", "status"), [
    ("kk", "бидаи кебег", "CN", "Бидай кебегі", "open"),
    ("ru", "баранинаа", "IR", "Баранина", "requirements-agreed"),
    ("en", "mutonn", "IR", "Mutton", "requirements-agreed"),
])
@pytest.mark.parametrize("width", WIDTHS)
def test_a_suggestion_is_a_link_to_the_same_question(page, api_embedded, lang, typed, market,
                                                     picked, status, width) -> None:
    page.set_viewport_size({"width": width, "height": SIZES[width]})
    page.goto(f"{api_embedded}/?lang={lang}&product={quote(typed)}&market={market}")
    card = page.locator("#answer .card-error")
    card.wait_for()
    link = card.locator("ul.suggestions a", has_text=re.compile(rf"^{re.escape(picked)} \("))
    link.click()
    article = page.locator("#answer article")
    article.wait_for()
    assert article.get_attribute("data-status") == status
    assert page.get_by_label({"kk": "Өнім", "ru": "Продукция", "en": "Product"}[lang],
                             exact=False).input_value() == picked
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.outside == [] and page.errors == []


AGREED = {"kk": "Талаптар келісілді", "ru": "Требования согласованы", "en": "Requirements agreed"}
CATTLE = {"kk": "Ірі қара мал", "ru": "Крупный рогатый скот", "en": "Cattle"}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_explore_without_javascript_is_the_table(browser, api_embedded, screenshots, lang,
                                                 width) -> None:
    context, page = _local_page(browser, java_script_enabled=False,
                                viewport={"width": width, "height": SIZES[width]})
    page.goto(f"{api_embedded}/explore?market=IR&lang={lang}&as_of=2018-01-01")
    assert not page.locator("#graph").is_visible()
    assert page.locator("#records tbody tr").count() == 6
    assert AGREED[lang] in page.locator("#records").inner_text()
    page.locator("#f-status").select_option("requirements-planned")
    page.get_by_role("button", name=SHOW[lang]).click()
    assert page.locator("#records tbody tr").count() == 1
    assert CATTLE[lang] in page.locator("#records").inner_text()
    _no_sideways_scroll(page)
    page.screenshot(path=screenshots / f"explore-nojs-{lang}-{width}.png", full_page=True)
    assert page.outside == []
    context.close()


def test_explore_language_switch_keeps_the_filters(page, api_embedded) -> None:
    page.goto(f"{api_embedded}/explore?market=IR&lang=en&as_of=2018-01-01")
    page.wait_for_function("window.agrikgView && window.agrikgView.nodes > 0")
    assert "Requirements agreed" in page.locator("#records").inner_text()
    page.get_by_role("link", name="Қазақша").click()
    page.wait_for_function("window.agrikgView && window.agrikgView.nodes > 0")
    assert page.evaluate("document.documentElement.lang") == "kk"
    assert page.locator("#f-market").input_value() == "IR"
    assert page.locator("#records tbody tr").count() == 6
    assert "Шартты белгілер" in page.locator("aside").inner_text()
    assert page.outside == [] and page.errors == []


BEEF = {"kk": ("сиыр етии", "Сиыр еті"), "ru": ("говядна", "Говядина"), "en": ("beeff", "Beef")}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_explore_says_when_nothing_matches(page, api_embedded, screenshots, lang, width) -> None:
    from graph.answers.messages import EXPLORE

    page.set_viewport_size({"width": width, "height": SIZES[width]})
    # Before 2015 only restrictions were in force: no record agreed requirements yet.
    page.goto(f"{api_embedded}/explore?status=requirements-agreed&as_of=2015-01-01&lang={lang}")
    message = page.locator("#empty")
    shown = f"{EXPLORE['status'][lang]}: {AGREED[lang]}"
    assert EXPLORE["empty_because"][lang].format(filter=shown) in message.inner_text()
    page.get_by_role("link", name=EXPLORE["without"][lang].format(filter=shown),
                     exact=True).click()
    page.wait_for_function("window.agrikgView && window.agrikgView.nodes > 0")
    assert page.locator("#empty").count() == 0
    typed, beef = BEEF[lang]
    page.goto(f"{api_embedded}/explore?product={quote(typed)}&lang={lang}")
    assert EXPLORE["not_found_product"][lang].format(text=typed) in \
        page.locator("#empty").inner_text()
    assert "restriction-lifted" not in page.locator("body").inner_text()  # the legend in words
    _no_sideways_scroll(page)
    page.screenshot(path=screenshots / f"explore-notfound-{lang}-{width}.png")
    page.get_by_role("link", name=beef, exact=True).click()
    page.wait_for_function("window.agrikgView && window.agrikgView.nodes > 0")
    assert page.locator("#f-product").input_value() == "beef"
    assert page.outside == [] and page.errors == []


@pytest.mark.parametrize("width", SIZES)
@pytest.mark.parametrize(("lang", "title"), [("kk", "Нарыққа қол жеткізу талдауы"),
                                             ("ru", "Аналитика доступа на рынки"),
                                             ("en", "Market access analytics")])
def test_analytics_is_a_page_in_each_language(page, api_embedded, screenshots, lang, title,
                                             width) -> None:
    page.set_viewport_size({"width": width, "height": SIZES[width]})
    page.goto(f"{api_embedded}/analytics?lang={lang}")
    assert page.locator("h1").inner_text() == title
    cells = page.locator("table.matrix td[data-status]")
    assert cells.count() > 20
    colours = set(page.evaluate("[...document.querySelectorAll('table.matrix td[data-status]')]"
                                ".map(td => td.dataset.status + ' ' + getComputedStyle(td)"
                                ".backgroundColor)"))
    by_status: dict[str, set[str]] = {}
    for entry in colours:
        status, colour = entry.split(" ", 1)
        by_status.setdefault(status, set()).add(colour)
    assert all(len(c) == 1 for c in by_status.values()), by_status  # one colour per status
    assert by_status["restriction-lifted"] == {"rgb(9, 105, 218)"}
    # one row per pending negotiation the analytics JSON lists on the same day
    pending = httpx.get(f"{api_embedded}/analytics?lang={lang}",
                        headers={"Accept": "application/json"}, timeout=60).json()["pending"]
    assert len(pending) >= 1 and page.locator("#pending tbody tr").count() == len(pending)
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel").click()
    assert download.value.suggested_filename == f"agrikg-matrix-{lang}.xlsx"
    _no_sideways_scroll(page)
    page.screenshot(path=screenshots / f"analytics-{lang}-{width}.png", full_page=True)
    _axe_clean(page)


@pytest.mark.parametrize(("lang", "group", "narrower", "header"), [
    ("kk", "0204", "Мұздатылған қой еті", "Графта"),
    ("ru", "0204", "Замороженная баранина", "Аналитика"),
    ("en", "0204", "Frozen mutton", "Analytics"),
])
@pytest.mark.parametrize("width", WIDTHS)
def test_a_narrower_product_links_to_its_own_check(page, api_embedded, lang, group, narrower,
                                                   header, width) -> None:
    page.set_viewport_size({"width": width, "height": SIZES[width]})
    page.goto(f"{api_embedded}/?lang={lang}&product={group}&market=IR")
    assert page.locator("#answer article").get_attribute("data-status") == "unknown"
    assert header in page.locator("header").inner_text() + page.locator("main").inner_text()
    page.locator("#answer a.narrower-check", has_text=narrower).click()
    article = page.locator("#answer article")
    article.wait_for()
    assert article.get_attribute("data-status") == "requirements-agreed"
    assert narrower in article.locator("h2").inner_text()
    # The card links its record; the record page is in the same language.
    article.locator("a.record-link").first.click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == lang
    assert "/record/" in page.url
    assert page.outside == [] and page.errors == []


def test_the_history_timeline_fits_a_390_px_screen_with_our_styles_only(browser, api_embedded) -> None:
    """The pair's timeline (api/templates/timeline.html) with a long quote and URL, styled by the
    served stylesheet, in a phone-sized window: nothing wider than the screen, a dot per step
    in its status colour, nothing fetched from elsewhere."""
    from tests.test_timeline import HISTORY, _step, timeline_html

    long = _step("kz-cn-beef-2025", "restricted", "Restricted", "2025-05-22", "day", False,
                 "Ограничения " * 40 + "https://example.org/" + "a" * 120, "ru",
                 "https://example.org/" + "very-long-path/" * 12)
    context, page = _local_page(browser, viewport={"width": 390, "height": 844})
    page.goto(f"{api_embedded}/static/style.css")  # the page's origin: our server
    page.set_content(f'<!doctype html><html lang="en"><head><meta name="viewport" '
                     f'content="width=device-width, initial-scale=1"><link rel="stylesheet" '
                     f'href="{api_embedded}/static/style.css"><link rel="stylesheet" '
                     f'href="{api_embedded}/assets/colours.css"></head><body><main>'
                     f'{timeline_html([*HISTORY, long])}</main></body></html>')
    page.wait_for_function("getComputedStyle(document.querySelector('.timeline-steps'))"
                           ".borderLeftStyle === 'solid'")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    rights = page.evaluate("[...document.querySelectorAll('.history-step, .history-step *')]"
                           ".map(e => e.getBoundingClientRect().right)")
    assert rights and max(rights) <= 390
    dots = page.evaluate("[...document.querySelectorAll('.history-step')].map(e => "
                         "getComputedStyle(e, '::before').backgroundColor)")
    assert dots == ["rgb(26, 127, 55)", "rgb(207, 34, 46)", "rgb(9, 105, 218)",
                    "rgb(207, 34, 46)"]  # the colour roles open, restricted, lifted
    assert page.outside == []
    context.close()



def _query_page(browser, api: str, lang: str, width: int):
    context, page = _local_page(browser, viewport={"width": width, "height": 900},
                                accept_downloads=True)
    page.goto(f"{api}/sparql?lang={lang}")
    page.wait_for_function("window.agrikgQuery !== undefined")  # the editor, from our server
    return context, page


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_query_page_runs_pages_links_and_downloads(browser, api_embedded, screenshots, lang,
                                                       width) -> None:
    context, page = _query_page(browser, api_embedded, lang, width)
    assert page.locator(".CodeMirror .cm-keyword").count() > 0  # highlighted
    page.evaluate(f"window.agrikgQuery.setValue({EVERY_TRIPLE!r})")
    page.get_by_role("button", name=RUN[lang], exact=True).click()
    page.locator("#results").wait_for()
    assert page.locator("#result-range").inner_text() == RANGE[lang].format(1, 100)
    assert [h.inner_text() for h in page.locator("table.results th").all()] == ["s", "p", "o"]
    page.wait_for_function("window.agrikgQuery !== undefined")
    assert page.evaluate("window.agrikgQuery.getValue()") == EVERY_TRIPLE  # kept in the editor
    page.screenshot(path=screenshots / f"query-results-{lang}-{width}.png", full_page=False)
    _no_sideways_scroll(page)
    _axe_clean(page)

    # a shortened IRI, linked to its page on this server
    first = page.locator("table.results tbody td:first-child a").first
    short, href, iri = first.inner_text(), first.get_attribute("href"), first.get_attribute("title")
    assert (short, href, iri) == ("market:AD", "/market/AD", "https://w3id.org/agrikg/market/AD")

    # the next page of the result
    page.get_by_role("link", name=NEXT[lang], exact=True).first.click()
    assert page.locator("#result-range").inner_text() == RANGE[lang].format(101, 200)

    # a download, in a format /sparql serves
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV", exact=True).click()
    assert download.value.suggested_filename == "result.csv"
    csv_rows = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert sorted(csv_rows[0].split(",")) == ["o", "p", "s"] and len(csv_rows) == 251

    first = page.locator("table.results tbody td:first-child a").first
    href = first.get_attribute("href")
    first.click()
    page.wait_for_url(api_embedded + href)
    assert page.locator("h1").inner_text()  # its linked-data page
    assert page.outside == [] and page.errors == []
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_a_parser_error_is_shown_beside_the_query(browser, api_embedded, screenshots, lang,
                                                  width) -> None:
    context, page = _query_page(browser, api_embedded, lang, width)
    page.evaluate(f"window.agrikgQuery.setValue({BROKEN!r})")
    page.get_by_role("button", name=RUN[lang], exact=True).click()
    error = page.locator("#query-error")
    error.wait_for()
    page.wait_for_function("window.agrikgQuery !== undefined")
    assert POSITION[lang] in error.inner_text()
    assert page.evaluate("window.agrikgQuery.getValue()") == BROKEN  # the query kept
    assert page.locator(".CodeMirror .query-error-line").count() == 1  # its line marked
    editor = page.locator(".CodeMirror").bounding_box()
    box = error.bounding_box()
    if width > 1000:  # beside the query
        assert box["x"] >= editor["x"] + editor["width"] and box["y"] < editor["y"] + editor["height"]
    else:  # under it, on a phone
        assert box["y"] >= editor["y"] + editor["height"]
    page.screenshot(path=screenshots / f"query-error-{lang}-{width}.png")
    _no_sideways_scroll(page)
    _axe_clean(page)
    assert page.outside == [] and page.errors == []
    context.close()


def test_typing_a_prefixed_name_adds_its_prefix(browser, api_embedded) -> None:
    context, page = _query_page(browser, api_embedded, "en", 1366)
    page.evaluate("window.agrikgQuery.setValue('')")
    page.locator(".CodeMirror").click()
    page.keyboard.type("SELECT * WHERE { ?market a agk:Market", delay=20)
    page.wait_for_function("window.agrikgQuery.getValue().includes('PREFIX agk:')")
    assert "PREFIX agk: <https://w3id.org/agrikg/ontology#>" in page.evaluate(
        "window.agrikgQuery.getValue()")
    page.get_by_role("button", name="Insert all prefixes").click()
    assert "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>" in page.evaluate(
        "window.agrikgQuery.getValue()")
    assert page.outside == [] and page.errors == []
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("lang", "labels", "words"), [
    ("kk", "Нарыққа қол жеткізу жазбасы", ["Анықтамасы", "Анықталу облысы", "Мәндер облысы"]),
    ("ru", "Запись о доступе на рынок", ["Определение", "Область определения", "Область значений"]),
    ("en", "Access record", ["Definition", "Domain", "Range"]),
])
def test_the_ontology_page_documents_each_term(browser, api_embedded, screenshots, lang, labels,
                                               words, width) -> None:
    context, page = _local_page(browser, viewport={"width": width, "height": 900})
    page.goto(f"{api_embedded}/ontology?lang={lang}#AccessRecord")
    record = page.locator("article#AccessRecord")
    assert labels in record.locator("h3").inner_text()
    text = record.inner_text()
    for label in ("Нарыққа қол жеткізу жазбасы", "Запись о доступе на рынок", "Access record"):
        assert label in text
    assert words[0] in text and "N-арное утверждение" in text and "AccessRecordShape" in text
    page.screenshot(path=screenshots / f"ontology-class-{lang}-{width}.png")
    product = page.locator("article#product")
    assert words[1] in product.inner_text() and words[2] in product.inner_text()
    product.locator("dd.range a").click()  # the range, documented on the same page
    assert page.url.endswith(f"?lang={lang}#Product")
    assert page.evaluate("document.documentElement.lang") == lang
    page.locator("article#market").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / f"ontology-property-{lang}-{width}.png")
    _no_sideways_scroll(page)
    _axe_clean(page)
    assert page.outside == [] and page.errors == []
    context.close()


@pytest.mark.parametrize("path", ["/redoc", "/docs"])
def test_the_api_docs_make_no_request_off_the_server(page, api_embedded, screenshots, path) -> None:
    page.goto(api_embedded + path)
    page.get_by_role("heading", name=re.compile(r"^agrikg")).first.wait_for()  # the script ran
    page.wait_for_timeout(1500)  # images and fonts the script asks for, if any
    page.screenshot(path=screenshots / f"api-docs{path.replace('/', '-')}.png")
    assert page.outside == []


def _contrast(rgb_a: str, rgb_b: str) -> float:
    """WCAG contrast ratio of two CSS rgb() colours."""
    def luminance(rgb: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    high, low = sorted((luminance(rgb_a), luminance(rgb_b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("path", ["/sparql?lang=kk", "/ontology?lang=ru"])
def test_a_skip_link_and_a_focus_ring_that_can_be_seen(page, api_embedded, path) -> None:
    page.goto(api_embedded + path)
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
        const r = e.getBoundingClientRect();
        return {cls: e.className, x: r.left, w: r.width, style: s.outlineStyle,
                width: parseFloat(s.outlineWidth), color: s.outlineColor,
                bg: getComputedStyle(document.body).backgroundColor}; }""")
    assert focused["cls"] == "skip" and focused["x"] >= 0 and focused["w"] > 0  # shown
    assert focused["style"] == "solid" and focused["width"] >= 2
    assert _contrast(focused["color"], focused["bg"]) >= 3
    page.keyboard.press("Enter")
    assert page.url.endswith("#content")
    assert page.outside == []


def test_the_query_page_works_without_javascript(browser, api_embedded) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{api_embedded}/sparql?lang=ru")
    page.get_by_label("Запрос (SPARQL 1.1, только чтение)").fill(EVERY_TRIPLE)
    page.get_by_role("button", name="Выполнить").click()
    assert page.locator("#result-range").inner_text() == RANGE["ru"].format(1, 100)
    assert page.locator("table.results a[href='/market/AD']").count() > 0
    page.get_by_role("link", name=NEXT["ru"], exact=True).first.click()
    assert page.locator("#result-range").inner_text() == RANGE["ru"].format(101, 200)
    context.close()


# -- every page, in each language, at desktop and phone width -------------------------------------

# Each page a user reaches, by what it is; a record and a measure of the dated history included.
EVERY_PAGE = {
    "exporter-start": "/",
    "exporter-answer": "/?product=beef&market=CN",
    "exporter-as-of": "/?product=beef&market=CN&as_of=2023-06-01",
    "explore": "/explore?market=IR",
    "analytics": "/analytics",
    "query": "/sparql",
    "ontology": "/ontology",
    "product": "/product/beef",
    "product-scheme": "/product",
    "market": "/market/CN",
    "record": "/record/kz-sa-beef-2022-08-08",
    "statement": "/statement/china-market-open",
    "document": "/document/kz-gov-meeting-report",
    "measure": "/measure/kz-ban-breeding-stock-2021-03-26",
    "duration": "/duration/P9M",
    "status": "/access-status/open",
    "not-found": "/product/no-such-product",
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
@pytest.mark.parametrize("name", EVERY_PAGE)
def test_every_page_in_each_language_and_width(browser, api_embedded, screenshots, name, lang,
                                                width) -> None:
    """No request off our server, no script error, no sideways scroll, in the page's language,
    and axe-core finds nothing; a screenshot of each, looked at by hand."""
    context, page = _local_page(browser, viewport={"width": width, "height": SIZES[width]})
    path = EVERY_PAGE[name]
    page.goto(f"{api_embedded}{path}{'&' if '?' in path else '?'}lang={lang}")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.lang") == lang
    page.screenshot(path=screenshots / f"page-{name}-{lang}-{width}.png", full_page=True)
    _no_sideways_scroll(page)
    _axe_clean(page)
    assert page.outside == [] and page.errors == [], (page.outside, page.errors)
    context.close()
