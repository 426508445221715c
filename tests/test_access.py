"""The market-access check, table-driven over every fact of the source, in kk, ru and en,
by HS code, on the embedded store and on a real Oxigraph server."""

from __future__ import annotations

import pytest

from graph.access import check
from graph.errors import ResolveError

CHINA = "Қытай нарығы ашық"
IRAN_AGREED = "ветеринариялық талаптар келісілді"
IRAN_PLANNED = "Биыл тірі ірі қара малға"
GULF = "шектеулер алынып тасталды"

MARKETS = {
    "CN": ("Қытай", "Китай", "China"),
    "IR": ("Иран", "Иран", "Iran"),
    "SA": ("Сауд Арабиясы", "Саудовская Аравия", "Saudi Arabia"),
    "AE": ("Біріккен Араб Әмірліктері", "Объединённые Арабские Эмираты", "United Arab Emirates"),
}

# Every market-access fact the source states:
# (product id, name kk, name ru, name en, an HS code, market, status, vet status, quote)
FACTS = [
    ("fish", "балық", "рыба", "fish", "0303", "CN", "open", None, CHINA),
    ("pure-bred-horses", "асыл тұқымды жылқылар", "племенные лошади", "pure-bred horses",
     "0101.21", "CN", "open", None, CHINA),
    ("mutton", "қой еті", "баранина", "mutton", "0204 43", "CN", "open", None, CHINA),
    ("honey", "бал", "мёд", "honey", "0409", "CN", "open", None, CHINA),
    ("wheat", "бидай", "пшеница", "wheat", "1001", "CN", "open", None, CHINA),
    ("wheat-bran", "бидай кебегі", "пшеничные отруби", "wheat bran", "2302.30", "CN", "open",
     None, CHINA),
    ("soybeans", "соя бұршағы", "соевые бобы", "soybeans", "1201", "CN", "open", None, CHINA),
    ("rapeseed", "рапс", "рапс", "rapeseed", "1205", "CN", "open", None, CHINA),
    ("beef", "сиыр еті", "говядина", "beef", "0202", "CN", "open", None, CHINA),
    ("alfalfa", "жоңышқа", "люцерна", "alfalfa", "121410", "CN", "open", None, CHINA),
    ("flour", "ұн", "мука", "flour", "1102", "CN", "open", None, CHINA),
    ("vegetable-oil", "өсімдік майы", "растительное масло", "vegetable oil", "1512", "CN",
     "open", None, CHINA),
    ("barley", "арпа", "ячмень", "barley", "1003", "CN", "open", None, CHINA),
    ("maize", "жүгері", "кукуруза", "maize", "1005", "CN", "open", None, CHINA),
    ("live-sheep", "тірі қой", "живые овцы", "live sheep", "010410", "IR",
     "requirements-agreed", "agreed", IRAN_AGREED),
    ("frozen-mutton", "тоңазытылған қой еті", "замороженная баранина", "frozen mutton",
     "0204.43", "IR", "requirements-agreed", "agreed", IRAN_AGREED),
    ("chilled-mutton", "салқындатылған қой еті", "охлаждённая баранина", "chilled mutton",
     "0204.10", "IR", "requirements-agreed", "agreed", IRAN_AGREED),
    ("beef", "сиыр еті", "говядина", "beef", "0201", "IR", "requirements-agreed", "agreed",
     IRAN_AGREED),
    ("edible-eggs", "тағамдық жұмыртқа", "пищевые яйца", "edible eggs", "040729", "IR",
     "requirements-agreed", "agreed", IRAN_AGREED),
    ("cattle", "ірі қара мал", "крупный рогатый скот", "cattle", "0102", "IR",
     "requirements-planned", "planned", IRAN_PLANNED),
    ("cattle", "ірі қара мал", "крупный рогатый скот", "cattle", "0102", "SA",
     "restriction-lifted", None, GULF),
    ("small-ruminants", "ұсақ мал", "мелкий рогатый скот", "small ruminants", "0104", "SA",
     "restriction-lifted", None, GULF),
    ("meat", "ет", "мясо", "meat", "0210", "AE", "restriction-lifted", None, GULF),
    ("meat-products", "ет өнімдері", "мясная продукция", "meat products", "1602", "AE",
     "restriction-lifted", None, GULF),
    ("hen-eggs", "тауық жұмыртқасы", "куриные яйца", "hen eggs", "040711", "AE",
     "restriction-lifted", None, GULF),
]
PERMITTED = {"open": True, "requirements-agreed": True, "restriction-lifted": True,
             "requirements-planned": False}
SPEAKER = {"kk": "Арман Евниев", "ru": "Арман Евниев", "en": "Arman Yevniyev"}
ROLE_WORD = {"kk": "вице-министрі", "ru": "Вице-министр", "en": "Vice Minister"}
IDS = [f"{f[0]}-{f[5]}" for f in FACTS]


def test_the_table_covers_every_fact_of_the_source() -> None:
    by_market = {m: sum(1 for f in FACTS if f[5] == m) for m in MARKETS}
    assert by_market == {"CN": 14, "IR": 6, "SA": 2, "AE": 3}


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
@pytest.mark.parametrize("fact", FACTS, ids=IDS)
def test_every_fact_answers_in_each_language(store, fact, lang) -> None:
    product_id, kk, ru, en, _hs, market, status, vet, quote = fact
    name = {"kk": kk, "ru": ru, "en": en}[lang]
    market_name = MARKETS[market][("kk", "ru", "en").index(lang)]
    answer = check(store, name, market_name, lang=lang)
    assert answer["product"]["id"] == product_id
    assert answer["market"]["code"] == market
    assert answer["status"] == status
    assert answer["permitted"] is PERMITTED[status]
    assert answer["via"] is None
    assert (answer["veterinary_requirements"] or {}).get("code") == vet
    assert answer["as_of"] == {"value": "2018", "precision": "year"}
    [source] = answer["sources"]
    assert quote in source["quote_kk"]
    assert source["speaker"] == SPEAKER[lang]
    assert ROLE_WORD[lang] in source["role"]
    assert source["translation_en"]
    assert source["event"]


@pytest.mark.parametrize("fact", FACTS, ids=IDS)
def test_every_fact_answers_by_hs_code(store, fact) -> None:
    product_id, *_names, hs, market, status, _vet, quote = fact
    answer = check(store, hs, market)
    assert answer["product"]["matched_by"] == "hs-code"
    assert answer["status"] == status
    found_on = (answer["via"] or answer["product"])["id"]
    assert found_on == product_id
    assert quote in answer["sources"][0]["quote_kk"]


def test_iran_market_of_the_planned_cattle_record_is_marked_inferred(store) -> None:
    answer = check(store, "cattle", "IR")
    fields = {note["field"]: note["reason"] for note in answer["inferred"]}
    assert "Iranian side" in fields["market"]
    assert "as_of" in fields


@pytest.mark.parametrize(("product", "market", "status", "via"), [
    ("говядина", "ОАЭ", "restriction-lifted", "meat"),
    ("mutton", "AE", "restriction-lifted", "meat"),
    ("chilled mutton", "CN", "open", "mutton"),
    ("live goats", "SA", "restriction-lifted", "small-ruminants"),
    ("live sheep", "SA", "restriction-lifted", "small-ruminants"),
    ("0407.21", "AE", "restriction-lifted", "hen-eggs"),
    ("0407.21", "IR", "requirements-agreed", "edible-eggs"),
    ("hatching hen eggs", "AE", "restriction-lifted", "hen-eggs"),
    ("wheat flour", "CN", "open", "flour"),
    ("sunflower oil", "Китай", "open", "vegetable-oil"),
])
def test_a_record_on_a_group_covers_its_members_and_says_so(store, product, market, status,
                                                            via) -> None:
    answer = check(store, product, market)
    assert answer["status"] == status
    assert answer["via"]["id"] == via
    assert answer["sources"], "an inherited answer still shows its source"
    assert answer["via"]["label"] in answer["message"]


@pytest.mark.parametrize(("product", "market", "narrower"), [
    ("0204", "IR", {"chilled-mutton", "frozen-mutton"}),
    ("meat", "IR", {"beef", "chilled-mutton", "frozen-mutton"}),
    ("live animals", "SA", {"cattle", "small-ruminants"}),
    ("eggs", "IR", {"edible-eggs"}),
    ("cereals", "CN", {"wheat", "barley", "maize"}),
])
def test_a_broader_product_gets_partial_coverage_not_a_status(store, product, market,
                                                              narrower) -> None:
    answer = check(store, product, market)
    assert answer["status"] == "unknown"
    assert answer["permitted"] is None
    assert {item["product"]["id"] for item in answer["partial"]} == narrower
    assert all(item["sources"][0]["quote_kk"] for item in answer["partial"])


@pytest.mark.parametrize(("product", "market"), [
    ("beef", "DE"), ("wheat", "IR"), ("honey", "Саудовская Аравия"), ("cattle", "CN"),
    ("fish", "AE"), ("0409", "US"), ("hen eggs", "CN"),
])
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_no_record_is_unknown_never_a_prohibition(store, product, market, lang) -> None:
    answer = check(store, product, market, lang=lang)
    assert answer["status"] == "unknown"
    assert answer["permitted"] is None
    assert answer["sources"] == []
    assert answer["partial"] == []
    negation = {"en": "not a prohibition", "ru": "не запрет", "kk": "тыйым емес"}[lang]
    assert negation in answer["message"]


def test_the_json_answer_has_every_field_the_issue_names(embedded) -> None:
    answer = check(embedded, "beef", "IR", lang="ru")
    for key in ("product", "market", "status", "permitted", "via", "partial",
                "veterinary_requirements", "as_of", "sources", "message"):
        assert key in answer
    source = answer["sources"][0]
    for key in ("speaker", "role", "event", "quote_kk", "translation_en"):
        assert source[key]
    assert source["translation"].startswith("Иранской стороной")
    assert answer["status_label"] == "Требования согласованы"


def test_an_unknown_product_raises_with_the_closest_matches(store) -> None:
    with pytest.raises(ResolveError) as caught:
        check(store, "wheet", "CN")
    assert any("Wheat" in s for s in caught.value.suggestions)
