"""Graph views and network analytics: the offline file `agrikg viz` writes, the filters, the
cut of a large graph, and the numbers `agrikg stats` and /analytics give."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from graph.answers.analytics import stats
from graph.answers.messages import count
from graph.answers.views import render_filtered
from tests.test_cli import run

DATA_IRI = re.compile(r"https://w3id\.org/agrikg/[^\s\"'<>\\]*")


def _outside_urls(html: str) -> list[str]:
    return [u for u in re.findall(r"https?://[^\s\"'<>\\)]*", html) if not DATA_IRI.match(u)]


@pytest.mark.process
def test_viz_writes_one_self_contained_file(settings, tmp_path) -> None:
    out = tmp_path / "out.html"
    result = run(settings, "viz", "-o", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["out.html"], "no lib/ folder or other file"
    html = out.read_text(encoding="utf-8")
    assert _outside_urls(html) == []
    assert "vis.Network" in html and "<script src" not in html and "<link" not in html
    assert re.search(r'data-nodes="69"', html)


SEED = "2018-01-01"  # the day the first report's year records start


@pytest.mark.parametrize(("filters", "as_of", "nodes"), [
    ({"market": "IR"}, SEED, {"IR", "live-sheep", "frozen-mutton", "chilled-mutton", "beef",
                              "edible-eggs", "cattle", "small-ruminants", "live-animals",
                              "mutton", "sheep-and-goat-meat", "meat-except-pork", "meat",
                              "eggs"}),
    # later: frozen boneless beef, requirements planned in December 2023 (with its parents)
    ({"market": "IR"}, None, {"IR", "live-sheep", "frozen-mutton", "chilled-mutton", "beef",
                              "chilled-beef", "frozen-beef", "frozen-boneless-beef",
                              "edible-eggs", "cattle", "small-ruminants", "live-animals",
                              "mutton", "sheep-and-goat-meat", "meat-except-pork", "meat",
                              "eggs"}),
    ({"product": "beef"}, None, {"beef", "chilled-beef", "frozen-beef", "frozen-boneless-beef",
                                 "meat-except-pork", "meat", "AE", "BH", "CN", "IR", "OM", "RU",
                                 "SA"}),
    ({"product": "eggs"}, SEED, {"eggs", "hen-eggs", "edible-eggs", "edible-hen-eggs",
                                 "hatching-hen-eggs", "IR", "AE"}),
    # Kyrgyzstan's ban on hatching eggs of October 2018
    ({"product": "eggs"}, None, {"eggs", "hen-eggs", "edible-eggs", "edible-hen-eggs",
                                 "hatching-hen-eggs", "IR", "AE", "KG"}),
    ({"status": "requirements-planned"}, SEED, {"cattle", "live-animals", "IR"}),
])
def test_filters_draw_what_was_asked(embedded, filters, as_of, nodes) -> None:
    view = render_filtered(embedded, "en", as_of=as_of, **filters)
    drawn = set(re.findall(r'"id": "https://w3id\.org/agrikg/(?:product|market)/([^"]+)"',
                           view.html))
    assert drawn == nodes
    assert view.nodes == len(nodes)


def test_a_large_graph_is_cut_with_a_note(embedded) -> None:
    from graph.answers.network import Filters
    from graph.answers.views import render

    view = render(embedded, "ru", Filters(), limit=15)
    assert view.total_nodes == 69 and view.nodes <= 15
    assert f"В графе всего {count(69, 'node', 'ru')}; показано: " in view.html
    assert f"{count(view.nodes, 'node', 'ru')} · {count(view.edges, 'link', 'ru')}" in view.html


def test_unknown_filters_are_404_with_suggestions(api_embedded) -> None:
    response = httpx.get(api_embedded + "/explore", params={"status": "opne"})
    assert response.status_code == 404
    assert "open" in response.json()["closest_matches"]


def test_explore_serves_the_same_page(api_embedded, embedded) -> None:
    response = httpx.get(api_embedded + "/explore", params={"market": "SA", "lang": "kk",
                                                          "as_of": SEED})  # the first report
    assert response.status_code == 200
    # the same graph the view function draws (Saudi Arabia's liftings of November 2017 and the
    # first report's cattle and small ruminants: more than the market and one product)
    view = render_filtered(embedded, "kk", market="SA", as_of=SEED)
    assert view.nodes > 2 and f'data-nodes="{view.nodes}"' in response.text
    assert "Ірі қара мал" in response.text
    assert _outside_urls(response.text) == []


def test_analytics(embedded) -> None:
    from graph.answers.dates import parse_as_of

    # as of the first report's day, the first report's picture
    result = stats(embedded, "en", as_of=parse_as_of(SEED))
    beef = next(p for p in result["products"] if p["product"] == "beef")
    assert beef["by_market"]["AE"] == {"status": "restriction-lifted", "via": "meat-except-pork"}
    mutton = next(p for p in result["products"] if p["product"] == "mutton")
    assert mutton["by_market"]["IR"] == {"status": "requirements-agreed", "via": None}
    assert [(p["product"], p["market"]) for p in result["pending"]] == [("cattle", "IR")]
    assert result["centrality"][0]["node"] == "CN"
    # today: every curated record, China still the hub
    result = stats(embedded, "en")
    assert result["counts"]["products"] == 60 and result["counts"]["markets"] == 9
    beef = next(p for p in result["products"] if p["product"] == "beef")
    assert beef["markets"] == 7
    assert beef["by_market"]["CN"] == {"status": "restriction-lifted", "via": None}  # Feb 2024
    markets = {m["market"]: m["products"] for m in result["markets"]}
    assert markets["CN"] == max(markets.values()) and set(markets) >= {"CN", "IR", "SA", "AE"}
    assert ("cattle", "IR") in [(p["product"], p["market"]) for p in result["pending"]]
    assert result["centrality"][0]["node"] == "CN"
    pair = next(s for s in result["shared_markets"] if s["products"] == ["beef", "cattle"])
    assert pair["shared_markets"] == ["IR", "OM", "RU", "SA"]


def test_stats_cli_and_analytics_route_agree(settings, api_embedded) -> None:
    cli = run(settings, "stats", "--json", "--lang", "ru")
    assert cli.returncode == 0, cli.stderr
    http = httpx.get(api_embedded + "/analytics", params={"lang": "ru"}, timeout=30).json()
    assert json.loads(cli.stdout) == http
    assert "Reach per product" in run(settings, "stats").stdout


def test_analytics_decides_as_the_check_does(embedded) -> None:
    """One rule for which record answers: every product in every market of /analytics has the
    status the check gives (inheritance through any broader path, complete coverage, ties)."""
    from graph.answers.check import check
    from graph.answers.resolve import product_index

    result = stats(embedded, "en")
    reached = {p["product"]: p["by_market"] for p in result["products"]}
    markets = {m["market"] for m in result["markets"]}  # every market with a record
    compared = 0
    for iri in product_index(embedded).labels:
        product = iri.rsplit("/", 1)[-1]
        for market in markets:
            answer = check(embedded, iri, market)
            found = reached.get(product, {}).get(market)
            assert (found or {}).get("status", "unknown") == answer["status"], (product, market)
            if found:
                assert found["via"] == (answer["via"] or {}).get("id"), (product, market)
            compared += 1
    assert compared == len(product_index(embedded).labels) * len(markets) and len(markets) >= 9


def test_tooltips_name_statuses_in_the_page_language(embedded) -> None:
    html = render_filtered(embedded, "ru", market="IR").html
    assert "Статус: Требования согласованы" in html
    assert "Ветеринарные требования: Согласованы" in html
    assert "Статус: requirements-agreed" not in html and ": agreed" not in html
