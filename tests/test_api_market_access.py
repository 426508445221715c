"""The market-access JSON API, linked data, dumps, health and OpenAPI over real HTTP, on the
embedded store and on a remote Oxigraph server."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from babel import Locale
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from graph.namespaces import LANGUAGES
from tests.helpers.env import clean_env
from tests.test_named_queries import curated_records

P = "https://w3id.org/agrikg/"


def get(api: str, path: str, **kwargs) -> httpx.Response:
    return httpx.get(api + path, timeout=30, **kwargs)


# The first report's answers, asked as of the day its 2018 records start (later sources change
# several of these pairs: the UAE's beef has its own record of April 2018).
@pytest.mark.parametrize(("params", "status", "via"), [
    ({"product": "бидай", "market": "Қытай", "lang": "kk"}, "open", None),
    ({"product": "говядина", "market": "ОАЭ", "lang": "ru"}, "restriction-lifted",
     "meat-except-pork"),
    ({"product": "0204.21", "market": "IR"}, "requirements-agreed", None),
    ({"product": "cattle", "market": "IR"}, "requirements-planned", None),
    ({"product": "honey", "market": "DE"}, "unknown", None),
])
def test_access_answers_with_status_and_source(api, params, status, via) -> None:
    response = get(api, "/access", params=params | {"as_of": "2018-01-01"})
    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == status
    assert (answer["via"] or {}).get("id") == via
    if status == "unknown":
        assert answer["permitted"] is None and answer["sources"] == []
    else:
        assert answer["sources"][0]["quote_kk"]
    # `permitted` is our reading of the status, and the answer says so in its own field
    assert answer["permitted_reading"]["stated_by_source"] is False


def test_access_gives_a_status_by_complete_coverage(api) -> None:
    answer = get(api, "/access", params={"product": "mutton", "market": "IR", "lang": "kk"}).json()
    assert answer["status"] == "requirements-agreed" and answer["permitted"] is True
    assert answer["coverage"]["complete"] is True
    assert set(answer["coverage"]["products"]) == {"chilled-mutton", "frozen-mutton"}
    assert "толық қамту бойынша" in answer["message"]


def test_access_answers_the_same_as_the_cli(api, settings) -> None:
    env = clean_env(home=str(settings.home))
    cli = subprocess.run([str(Path(sys.executable).parent / "agrikg"), "check", "0407.21", "IR",
                          "--lang", "ru", "--json"], capture_output=True, text=True, env=env,
                         timeout=60, check=True)
    http = get(api, "/access", params={"product": "0407.21", "market": "IR", "lang": "ru"})
    assert http.json() == json.loads(cli.stdout)


def test_language_falls_back_to_accept_language_then_english(api) -> None:
    params = {"product": "wheat", "market": "CN"}
    assert get(api, "/access", params=params,
               headers={"Accept-Language": "ru-RU,ru;q=0.9"}).json()["status_label"] == \
        "Рынок открыт"
    assert get(api, "/access", params=params,
               headers={"Accept-Language": "kk"}).json()["market"]["label"] == "Қытай"
    assert get(api, "/access", params=params,
               headers={"Accept-Language": "de"}).json()["lang"] == "en"
    assert get(api, "/access", params=params | {"lang": "kk"},
               headers={"Accept-Language": "ru"}).json()["lang"] == "kk"


@pytest.mark.parametrize(("path", "params", "kind", "match"), [
    ("/access", {"product": "wheet", "market": "CN"}, "product", "Wheat (1001)"),
    ("/access", {"product": "wheat", "market": "Chna"}, "market", "China (CN)"),
    ("/markets/Germny", {}, "market", "Germany (DE)"),
    ("/products/bef", {}, "product", "Beef (0201, 0202)"),
    ("/sources/china-market", {}, "source", "china-market-open"),
    # text close to no id: some ids are still offered (none is closer than another)
    ("/sources/%C2%9C%08%F1%B9%BE%97%29", {}, "source", None),
    ("/sources/a%20b%3E%3C", {}, "source", None),
])
def test_unknown_names_are_404_with_the_closest_matches(api, path, params, kind, match) -> None:
    response = get(api, path, params=params)
    assert response.status_code == 404
    body = response.json()
    assert body["kind"] == kind
    assert match in body["closest_matches"] if match else body["closest_matches"]
    assert "closest matches" in body["detail"]


def test_russia_by_its_everyday_name_is_unknown_not_missing(api) -> None:
    # as of a day before any Russian record (Russia restricted Kazakh wheat in October 2024)
    response = get(api, "/access", params={"product": "пшеница", "market": "Россия",
                                           "as_of": "2018-01-01"})
    assert response.status_code == 200
    answer = response.json()
    assert answer["market"]["code"] == "RU" and answer["market"]["matched_by"] == "label"
    assert answer["status"] == "unknown" and answer["permitted"] is None


# A handful of markets by their CLDR names (from Babel) through HTTP; test_resolve.py asks
# the resolver for all 249 in each language.
CLDR_SAMPLE = [(lang, code, Locale.parse(lang).territories[code]) for lang in LANGUAGES
               for code in ("RU", "US", "GB", "TR", "KR", "CI")]


@pytest.mark.parametrize(("lang", "code", "name"), CLDR_SAMPLE,
                         ids=[f"{lang}-{code}" for lang, code, _ in CLDR_SAMPLE])
def test_markets_answer_by_their_cldr_names(api, lang, code, name) -> None:
    response = get(api, "/access", params={"product": "wheat", "market": name, "lang": lang})
    assert response.status_code == 200, response.text
    assert response.json()["market"] == {
        "code": code, "iri": P + f"market/{code}", "label": name, "matched_by": "label",
        "query": name}


@pytest.mark.parametrize(("name", "code"), [("США", "US"), ("UK", "GB"), ("Белоруссия", "BY"),
                                            ("Молдавия", "MD"), ("Корея", "KR"), ("Burma", "MM")])
def test_markets_answer_by_their_everyday_names(api, name, code) -> None:
    response = get(api, "/access", params={"product": "бидай", "market": name})
    assert response.status_code == 200, response.text
    assert response.json()["market"]["code"] == code


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("path", "params"), [("/access", {"product": "wheat", "market": "Congo"}),
                                              ("/markets/Congo", {})])
def test_a_market_name_two_markets_share_is_404_listing_both(api, path, params, lang) -> None:
    response = get(api, path, params=params | {"lang": lang})
    assert response.status_code == 404
    body = response.json()
    assert body["ambiguous"] is True and body["kind"] == "market"
    names = Locale.parse(lang).territories
    assert body["matches"] == [{"code": c, "iri": P + f"market/{c}", "label": names[c]}
                               for c in ("CD", "CG")]


@pytest.mark.parametrize(("lang", "text"), [("kk", "Германя"), ("ru", "Германя"), ("en", "Germny")])
def test_an_unknown_market_is_404_with_suggestions_named_in_the_asked_language(
        api, lang, text) -> None:
    response = get(api, "/access", params={"product": "wheat", "market": text, "lang": lang})
    assert response.status_code == 404
    body = response.json()
    assert body["ambiguous"] is False
    germany = Locale.parse(lang).territories["DE"]
    assert body["matches"][0] == {"code": "DE", "iri": P + "market/DE", "label": germany}
    assert body["closest_matches"][0] == f"{germany} (DE)"


@pytest.mark.parametrize(("path", "params", "parameter"), [
    ("/access", {"product": "wheat"}, "market"),
    ("/access", {"market": "CN"}, "product"),
    ("/access", {"product": "", "market": "CN"}, "product"),
    ("/access", {"product": "wheat", "market": "CN", "lang": "de"}, "lang"),
    ("/products", {"limit": "many"}, "limit"),
    ("/products", {"limit": "0"}, "limit"),
    ("/markets", {"lang": "fr"}, "lang"),
])
def test_bad_parameters_are_422_naming_the_parameter(api, path, params, parameter) -> None:
    response = get(api, path, params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith(parameter)
    assert body["errors"][0]["parameter"] == parameter


def test_markets(api) -> None:
    markets = get(api, "/markets", params={"lang": "kk"}).json()
    assert len(markets) == 250  # ISO 3166-1 and the EU
    china = next(m for m in markets if m["code"] == "CN")
    in_china = sum(r["market"] == "CN" for r in curated_records())
    assert (china["label"], china["alpha3"], china["records"]) == ("Қытай", "CHN", in_china)
    # a union of countries has no alpha-3 or numeric code, and is listed all the same
    eu = next(m for m in markets if m["code"] == "EU")
    assert (eu["alpha3"], eu["numeric"]) == (None, None) and eu["records"] >= 1


def test_a_market_lists_every_product_with_its_status(api) -> None:
    body = get(api, "/markets/ОАЭ", params={"as_of": "2018-01-01"}).json()  # the first report
    assert body["code"] == "AE"
    by_id = {p["id"]: p for p in body["products"]}
    # "ет" to the UAE is read without pork: meat as a whole and pork stay unknown
    assert by_id["meat"]["status"] == "unknown" and by_id["pork"]["status"] == "unknown"
    assert by_id["meat-except-pork"]["status"] == "restriction-lifted"
    assert by_id["meat-except-pork"]["via"] is None
    assert by_id["beef"]["status"] == "restriction-lifted"
    assert by_id["beef"]["via"] == "meat-except-pork"
    assert by_id["edible-hen-eggs"]["via"] is None
    assert by_id["hatching-hen-eggs"]["status"] == "unknown"
    assert by_id["wheat"]["status"] == "unknown" and by_id["wheat"]["permitted"] is None
    iran = {p["id"]: p for p in get(api, "/markets/IR",
                                    params={"as_of": "2018-01-01"}).json()["products"]}
    assert iran["mutton"]["status"] == "requirements-agreed"
    assert iran["mutton"]["coverage"]["complete"] is True


def test_products_search_in_any_language_and_by_hs_code(api) -> None:
    def ids(q: str) -> list[str]:
        return [p["id"] for p in get(api, "/products", params={"q": q}).json()]

    assert ids("бидай")[0] == "wheat"
    assert "maize" in ids("corn")
    assert "mutton" in ids("баран")
    assert ids("0204")[0] == "sheep-and-goat-meat"
    assert {"meat", "chilled-mutton"} <= set(ids("0204"))
    assert len(ids("")) >= 30


def test_a_product_lists_every_market_with_a_record(api) -> None:
    # as of the first report's day (Saudi Arabia lifted its restrictions in November 2017)
    body = get(api, "/products/beef", params={"lang": "en", "as_of": "2018-01-01"}).json()
    statuses = {m["code"]: (m["status"], m["via"]) for m in body["markets"]}
    assert statuses == {"AE": ("restriction-lifted", "meat-except-pork"), "CN": ("open", None),
                        "IR": ("requirements-agreed", None), "SA": ("restriction-lifted", None)}
    assert body["unknown_markets"] == 250 - 4
    partial = get(api, "/products/0204", params={"as_of": "2018-01-01"}).json()
    iran = next(m for m in partial["markets"] if m["code"] == "IR")
    assert iran["status"] == "unknown"
    assert {p["product"] for p in iran["partial"]} == {"chilled-mutton", "frozen-mutton"}
    # a narrower product inheriting from another broader group of its own
    eggs = get(api, "/products/hen-eggs", params={"as_of": "2018-01-01"}).json()
    iran = next(m for m in eggs["markets"] if m["code"] == "IR")
    assert iran["status"] == "unknown"
    assert iran["partial"] == [{"product": "edible-hen-eggs", "status": "requirements-agreed",
                                "via": "edible-eggs",
                                "record": "https://w3id.org/agrikg/record/kz-ir-edible-eggs"}]


def test_statuses(api) -> None:
    body = get(api, "/statuses", params={"lang": "ru"}).json()
    codes = {s["code"]: s for s in body["access"]}
    assert set(codes) == {"open", "requirements-agreed", "requirements-planned",
                          "restriction-lifted", "restricted", "unknown"}
    assert codes["unknown"]["permitted"] is None
    assert "не означает запрета" in codes["unknown"]["definition"]
    assert codes["restricted"]["permitted"] is False
    assert {s["code"] for s in body["veterinary_requirements"]} == {"agreed", "planned"}


def test_a_source_with_its_quote_and_what_rests_on_it(api) -> None:
    body = get(api, "/sources/iran-requirements-agreed", params={"lang": "ru"}).json()
    assert body["quote_kk"].startswith("Иран тарапынан")
    assert set(body["translations"]) == {"en", "ru"}
    assert body["speaker"] == "Арман Евниев"
    assert len([r for r in body["records"] if r["type"] == "AccessRecord"]) == 5
    # the readings that rest on it are listed with it
    assert {r["type"] for r in body["records"]} == {"AccessRecord", "Inference"}


@pytest.mark.parametrize(("path", "label"), [
    ("/product/beef", "Beef"), ("/market/CN", "China"), ("/record/kz-ir-cattle", None),
    ("/statement/iran-cattle-planned", None), ("/access-status/open", "Market open"),
    ("/vet-status/agreed", "Agreed"), ("/agent/arman-evniev", "Arman Yevniyev"),
    ("/event/kz-government-meeting-2018", None), ("/document/kz-gov-meeting-report", None),
    ("/inference/iran-from-context", None), ("/role/vice-minister-of-agriculture-kz", None),
    ("/indicator/china-agri-exports-growth-9-months", None),
    ("/programme/industrial-innovative-development-2020-2025/target/4", None),
    ("/product", "Products"), ("/access-status", None),
])
def test_every_minted_iri_dereferences(api, path, label) -> None:
    iri = URIRef(P + path.lstrip("/"))
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                        ("application/n-triples", "nt")):
        response = get(api, path, headers={"Accept": accept})
        assert response.status_code == 200, (path, accept)
        assert response.headers["content-type"].startswith(accept)
        graph = Graph().parse(data=response.text, format=fmt)
        assert (iri, None, None) in graph
        if label:
            assert any(str(o) == label for o in graph.objects(iri, SKOS.prefLabel)) or any(
                str(o) == label for o in graph.objects(iri, URIRef(
                    "http://www.w3.org/2000/01/rdf-schema#label")))
    page = get(api, path, headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert str(iri) in page.text


def test_the_statement_page_carries_its_attribution(api) -> None:
    response = get(api, "/statement/iran-cattle-planned", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.text, format="turtle")
    roles = list(graph.objects(None, URIRef("http://www.w3.org/ns/prov#hadRole")))
    assert roles == [URIRef(P + "role/vice-minister-of-agriculture-kz")]


@pytest.mark.parametrize("path", ["/product/nothing-here", "/market/XX",
                                  "/record/..%2F..%2Fetc%2Fpasswd", "/product/%00",
                                  "/statement/a/b/c/d/e/f"])
def test_unknown_or_malformed_iris_are_404(api, path) -> None:
    response = get(api, path, headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert response.json()["detail"]


def test_the_ontology_dereferences(api) -> None:
    graph = Graph().parse(data=get(api, "/ontology", headers={"Accept": "text/turtle"}).text,
                          format="turtle")
    assert (URIRef(P + "ontology#AccessRecord"), None, None) in graph


def test_dataset_description_and_dumps(api, settings) -> None:
    void = Graph().parse(data=get(api, "/dataset", headers={"Accept": "text/turtle"}).text,
                         format="turtle")
    triples = void.value(URIRef(P + "dataset"), URIRef("http://rdfs.org/ns/void#triples"))
    assert int(triples) > 4000
    assert any("licenses" in str(o) for o in void.objects())
    if "remote" in api or get(api, "/health").json()["backend"] == "remote":
        assert get(api, "/dumps/graph.nt").status_code == 404
        return
    for name, fmt in (("graph.ttl", "turtle"), ("graph.nt", "nt"), ("graph.jsonld", "json-ld")):
        response = get(api, f"/dumps/{name}")
        assert response.status_code == 200
        assert len(Graph().parse(data=response.text, format=fmt)) == int(triples)


def test_health(api) -> None:
    body = get(api, "/health").json()
    assert body["status"] == "ok"
    assert body["triples"] > 4000
    assert body["backend"] in ("embedded", "remote")
    if body["backend"] == "embedded":
        assert re.match(r"\d{4}-\d\d-\d\dT", body["built_at"])


def test_openapi_documents_every_route_with_its_errors(api) -> None:
    spec = get(api, "/openapi.json").json()
    paths = spec["paths"]
    for path in ("/access", "/markets", "/markets/{code}", "/products", "/products/{product_id}",
                 "/statuses", "/sources/{source_id}", "/sparql", "/health", "/dataset",
                 "/dumps/{name}", "/product/{path}"):
        assert path in paths, path
    body = paths["/sparql"]["post"]["requestBody"]["content"]
    assert {"application/x-www-form-urlencoded", "application/sparql-query"} <= set(body)
    for code in ("400", "403", "405", "406", "413", "415", "503"):
        assert code in paths["/sparql"]["get"]["responses"]
    assert "404" in paths["/access"]["get"]["responses"]
    assert "422" in paths["/access"]["get"]["responses"]


def test_the_api_docs_work_offline(api) -> None:
    page = get(api, "/docs").text
    assert re.findall(r'(?:src|href)=["\'](https?:[^"\']*)', page) == []
    assert get(api, "/static-offline-docs/swagger-ui-bundle.js").status_code == 200


def test_a_malformed_source_id_is_a_404_and_leaves_no_warning_in_the_log(api_embedded,
                                                                         settings) -> None:
    response = httpx.get(api_embedded + '/sources/x"y z', params={"lang": "en"})
    assert response.status_code == 404
    assert "no source matches" in response.json()["detail"]
    log = (settings.home / "api-embedded.log").read_text(encoding="utf-8", errors="replace")
    assert "does not look like a valid URI" not in log


# -- as of a date, in process (TestClient) over the made-up UZ -> JP history ----------------------
@pytest.fixture(scope="module")
def history_client(history_home):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from graph.settings import Settings

    with TestClient(create_app(Settings(home=history_home, endpoint=None, exporter="UZ"))) as client:
        yield client


@pytest.mark.parametrize(("as_of", "status", "record"), [
    ("2023-06-01", "restricted", "test-uz-jp-beef-2022"),
    ("2024-05-01", "restriction-lifted", "test-uz-jp-beef-2024-02-07"),
    ("2018-03", "open", "test-uz-jp-meat-except-pork-2018"),
])
def test_access_answers_as_of_the_asked_date_the_same_as_the_check(history_client, history_store,
                                                                    as_of, status,
                                                                    record) -> None:
    from graph.answers.check import check
    from graph.answers.models import AccessAnswer

    params = {"product": "beef", "market": "JP", "as_of": as_of, "lang": "ru"}
    first = history_client.get("/access", params=params)
    again = history_client.get("/access", params=params)  # from the cache, by the fast path
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    answer = first.json()
    AccessAnswer.model_validate(answer)  # the shape /access declares
    assert answer["as_of_asked"] == as_of and answer["status"] == status
    assert answer["record"] == P + "record/" + record
    assert answer == check(history_store, "beef", "JP", lang="ru", exporter="UZ", as_of=as_of)


def test_access_without_a_date_answers_as_of_today(history_client) -> None:
    from datetime import date

    answer = history_client.get("/access", params={"product": "beef", "market": "JP"}).json()
    assert answer["as_of_asked"] == date.today().isoformat()
    assert answer["status"] == "restriction-lifted"


@pytest.mark.parametrize(("lang", "words"), [("en", "YYYY-MM-DD"), ("ru", "ГГГГ-ММ-ДД"),
                                             ("kk", "ЖЖЖЖ-АА-КК")])
@pytest.mark.parametrize("path", ["/access?product=beef&market=JP", "/markets/JP",
                                  "/products/beef", "/analytics", "/explore"])
def test_a_bad_date_is_a_400_in_the_users_language(history_client, path, lang, words) -> None:
    sep = "&" if "?" in path else "?"
    response = history_client.get(f"{path}{sep}as_of=2024-02-30&lang={lang}")
    assert response.status_code == 400
    assert words in response.json()["detail"] and "2024-02-30" in response.json()["detail"]


def test_the_listings_and_analytics_answer_as_of_the_asked_date(history_client) -> None:
    def beef_in_japan(as_of: str) -> tuple[str, str, str]:
        market = history_client.get("/markets/JP", params={"as_of": as_of}).json()
        [listed] = [p for p in market["products"] if p["id"] == "beef"]
        product = history_client.get("/products/beef", params={"as_of": as_of}).json()
        [there] = [m for m in product["markets"] if m["code"] == "JP"]
        stats = history_client.get("/analytics", params={"as_of": as_of}).json()
        [reach] = [p for p in stats["products"] if p["product"] == "beef"]
        assert market["as_of_asked"] == product["as_of_asked"] == stats["as_of_asked"] == as_of
        return listed["status"], there["status"], reach["by_market"]["JP"]["status"]

    assert beef_in_japan("2023-06-01") == ("restricted",) * 3
    assert beef_in_japan("2024-05-01") == ("restriction-lifted",) * 3
    assert beef_in_japan("2018-03-01") == ("open",) * 3


def test_the_graph_view_draws_the_records_that_answer_on_the_date(history_client) -> None:
    def drawn(as_of: str) -> str:  # the records' quotes are in the arrows' hover texts
        return history_client.get("/explore", params={"market": "JP", "as_of": as_of}).text

    restricted, lifted = "В 2022 году поставки говядины ограничены.", "С 7 февраля 2024 года"
    assert restricted in drawn("2023-06-01") and lifted not in drawn("2023-06-01")
    assert restricted not in drawn("2024-05-01") and lifted in drawn("2024-05-01")


def test_the_exporters_page_shows_the_date_and_how_it_got_here(history_client) -> None:
    page = history_client.get("/", params={"product": "beef", "market": "JP",
                                           "as_of": "2023-06-01", "lang": "en"})
    assert page.status_code == 200
    html = page.text
    assert 'name="as_of" value="2023-06-01"' in html  # the form keeps the date
    assert '<time datetime="2023-06-01">2023-06-01</time>' in html
    steps = re.findall(r'<li class="history-step status-([a-z-]+)[^"]*"', html)
    assert steps == ["restricted", "open", "requirements-agreed", "restricted", "open",
                     "restricted", "restriction-lifted"]
    assert "How it got here" in html and "В 2022 году поставки говядины ограничены." in html
    assert "as_of=2023-06-01" in html  # the language switch and graph links keep it too
    bad = history_client.get("/", params={"product": "beef", "market": "JP", "as_of": "2023-6",
                                          "lang": "kk"})
    assert bad.status_code == 400 and "ЖЖЖЖ-АА-КК" in bad.text


def test_access_declares_the_shared_answer_model(history_client) -> None:
    spec = history_client.get("/openapi.json").json()
    ok = spec["paths"]["/access"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"]["$ref"].endswith("/AccessAnswer")
    fields = spec["components"]["schemas"]["AccessAnswer"]["properties"]
    assert {"as_of_asked", "history", "conflicts", "exporter_measures"} <= fields.keys()
    assert "400" in spec["paths"]["/access"]["get"]["responses"]
