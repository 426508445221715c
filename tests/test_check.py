"""The market-access check, table-driven over every fact of the source, in kk, ru and en,
by HS code, on the embedded store and on a real Oxigraph server."""

from __future__ import annotations

import pytest

from graph.answers.check import check
from graph.answers.messages import as_of_phrase
from graph.errors import ResolveError

RECORD = "https://w3id.org/agrikg/record/"

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
    # The UAE's "ет", "ет өнімдері" and "тауық жұмыртқасы" are read without pork and as food
    # (each reading an inference on the record).
    ("meat-except-pork", "шошқа етінен басқа ет", "мясо, кроме свинины", "meat other than pork",
     "0210.20", "AE", "restriction-lifted", None, GULF),
    ("meat-products-except-pork", "шошқа етінен басқа ет өнімдері",
     "мясная продукция, кроме свинины", "meat products other than pork", "1602.50", "AE",
     "restriction-lifted", None, GULF),
    ("edible-hen-eggs", "тағамдық тауық жұмыртқасы", "пищевые куриные яйца", "edible hen eggs",
     "040721", "AE", "restriction-lifted", None, GULF),
]
PERMITTED = {"open": True, "requirements-agreed": True, "restriction-lifted": True,
             "requirements-planned": False}
SPEAKER = {"kk": "Арман Евниев", "ru": "Арман Евниев", "en": "Arman Yevniyev"}
ROLE_WORD = {"kk": "вице-министрі", "ru": "вице-министр", "en": "Vice Minister"}
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
    # "талаптарды" alone: "veterinary" comes from the sentence before.
    assert "талаптарды" in fields["veterinary_requirements"]
    assert "buffalo" in fields["hs_codes"]


@pytest.mark.parametrize("fact", FACTS, ids=IDS)
def test_every_answer_marks_what_no_sentence_states(store, fact) -> None:
    """The exporter and the as-of year are read from the context on every record, and
    `permitted` is our reading of the status, which the answer says in its own field."""
    product_id, *_names, _hs, market, _status, _vet, _quote = fact
    answer = check(store, product_id, market, lang="ru")
    fields = {note["field"] for note in answer["inferred"]}
    assert {"exporter", "as_of"} <= fields
    assert all(note["field_label"] and note["reason"] for note in answer["inferred"])
    reading = answer["permitted_reading"]
    assert reading["stated_by_source"] is False and reading["derived_from"] == "status"
    assert answer["status_label"] in reading["note"] and "ни один источник" in reading["note"]


def test_planned_requirements_are_not_read_as_a_bare_no(store) -> None:
    answer = check(store, "cattle", "IR", lang="ru")
    assert answer["permitted"] is False
    assert answer["permitted_reading"]["text"] == "пока нет: требования ещё не согласованы"
    agreed = check(store, "beef", "IR", lang="kk")
    assert agreed["permitted_reading"]["text"] == "иә, келісілген талаптар сақталса"


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_source_caption_marks_the_inferred_meeting_year(store, lang) -> None:
    [source] = check(store, "wheat", "CN", lang=lang)["sources"]
    assert source["event_date"] == "2018" and source["event_date_inferred"] is True


@pytest.mark.parametrize(("product", "market", "status", "via"), [
    ("говядина", "ОАЭ", "restriction-lifted", "meat-except-pork"),
    ("mutton", "AE", "restriction-lifted", "meat-except-pork"),
    ("chilled mutton", "CN", "open", "mutton"),
    ("live goats", "SA", "restriction-lifted", "small-ruminants"),
    ("live sheep", "SA", "restriction-lifted", "small-ruminants"),
    ("0407.21", "IR", "requirements-agreed", "edible-eggs"),
    # edible hen eggs are narrower than hen eggs and than table eggs: either path inherits
    ("edible hen eggs", "IR", "requirements-agreed", "edible-eggs"),
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
    ("meat", "AE", {"meat-except-pork"}),
    ("0210", "AE", {"meat-except-pork"}),
    ("hen eggs", "AE", {"edible-hen-eggs"}),
    ("meat products", "AE", {"meat-products-except-pork"}),
    ("forage", "CN", {"alfalfa"}),
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
    negation = {"en": "not a prohibition", "ru": "не означает запрета",
                "kk": "тыйым дегенді білдірмейді"}[lang]
    assert negation in answer["message"]
    assert answer["permitted_reading"]["stated_by_source"] is False


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_mutton_to_iran_answers_by_complete_coverage(store, lang) -> None:
    """Chilled (0204.10, .21-.23) and frozen (0204.30, .41-.43) mutton cover every mutton
    subheading, both with requirements agreed: the answer gives that status, not unknown."""
    name = {"kk": "қой еті", "ru": "баранина", "en": "mutton"}[lang]
    answer = check(store, name, "IR", lang=lang)
    assert answer["product"]["id"] == "mutton"
    assert answer["status"] == "requirements-agreed" and answer["permitted"] is True
    assert answer["via"] is None and answer["record"] is None
    assert answer["coverage"]["complete"] is True
    assert set(answer["coverage"]["records"]) == {RECORD + "kz-ir-chilled-mutton",
                                                  RECORD + "kz-ir-frozen-mutton"}
    assert answer["veterinary_requirements"]["code"] == "agreed"
    assert IRAN_AGREED in answer["sources"][0]["quote_kk"]
    assert {"en": "by complete coverage", "ru": "по полному охвату",
            "kk": "толық қамту бойынша"}[lang] in answer["message"]
    # frozen rests on reading "тоңазытылған" as frozen: the covering answer carries it too
    assert "product" in {note["field"] for note in answer["inferred"]}


def test_sheep_and_goat_meat_to_iran_is_not_complete(store) -> None:
    # goat meat (0204.50) has no record: the group stays unknown, its records listed
    answer = check(store, "0204", "IR")
    assert answer["status"] == "unknown" and answer["coverage"] is None


def test_hen_eggs_to_iran_find_the_table_eggs_record_through_edible_hen_eggs(store) -> None:
    answer = check(store, "hen eggs", "IR", lang="ru")
    assert answer["status"] == "unknown"  # hatching eggs (0407.11) have no record
    [item] = answer["partial"]
    assert item["product"]["id"] == "edible-hen-eggs" and item["via"]["id"] == "edible-eggs"
    assert item["record"] == RECORD + "kz-ir-edible-eggs"
    assert item["status"] == "requirements-agreed"
    assert "Пищевые куриные яйца: Требования согласованы (по группе «Пищевые яйца»)" in \
        answer["message"]


@pytest.mark.parametrize("product", ["0203", "020311", "0210.11", "шошқа еті", "pork"])
def test_pork_to_the_uae_is_unknown_never_permitted(store, product) -> None:
    answer = check(store, product, "AE")
    assert answer["status"] == "unknown" and answer["permitted"] is None
    assert answer["product"]["id"] in {"pork", "meat"}


@pytest.mark.parametrize(("value", "precision", "lang", "phrase"), [
    ("2018", "year", "ru", "2018 год"), ("2018", "year", "kk", "2018 жылғы"),
    ("2018", "year", "en", "2018"),
    ("2018-10", "month", "ru", "октябрь 2018 года"), ("2018-10", "month", "kk", "2018 жылғы қазандағы"),
    ("2018-10-16", "day", "ru", "16.10.2018"), ("2018-10-16", "day", "kk", "2018 жылғы 16 қазандағы"),
    ("2018-10-16", "day", "en", "16 October 2018"),
])
def test_as_of_dates_read_right_at_every_precision(value, precision, lang, phrase) -> None:
    assert as_of_phrase(value, precision, lang) == phrase


@pytest.mark.parametrize(("lang", "words"), [
    ("ru", ["по состоянию на 2018 год."]), ("kk", ["2018 жылғы жағдай бойынша."]),
])
def test_the_message_gives_the_year_as_a_year(store, lang, words) -> None:
    message = check(store, "wheat", "CN", lang=lang)["message"]
    assert all(w in message for w in words), message


@pytest.mark.parametrize(("product", "lang", "words"), [
    # Head nouns carry the case; names in «» stay nominative.
    ("говядина", "ru", ["Статус взят из записи по более широкой группе «Мясо, кроме свинины», "
                        "в которую входит продукция «Говядина»", "По состоянию на 2018 год."]),
    ("сиыр еті", "kk", ["Мәртебе кеңірек «Шошқа етінен басқа ет» тобы бойынша жазбадан алынды; "
                        "«Сиыр еті» өнімі осы топқа кіреді.", "2018 жылғы жағдай бойынша."]),
    ("beef", "en", ["inherited from the broader group “Meat other than pork”"]),
])
def test_an_inherited_answer_reads_right(store, product, lang, words) -> None:
    message = check(store, product, "AE", lang=lang)["message"]
    assert all(w in message for w in words), message


def test_an_unknown_answer_reads_right_in_russian(store) -> None:
    message = check(store, "honey", "IR", lang="ru")["message"]
    assert message.startswith("Нет данных. Продукция: «Мёд»; рынок: Иран.")


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


# What the source's words do not name, by market (HS code prefixes). A "permitted" answer for
# one of these is a failure unless the answering record carries the reading as an inference on
# its product or HS scope; NEVER lists what no reading may reach.
NOT_NAMED = {
    "AE": {"0205": "horse meat", "0208": "other meat (camel, rabbit, frog...)",
           "02109": "other meat salted or dried", "1601": "sausages of any species",
           "040711": "hatching eggs"},
    "SA": {"010231": "buffalo", "010239": "buffalo", "010290": "other bovines"},
    "IR": {"040729": "eggs of other birds", "040790": "preserved or cooked eggs",
           "010231": "buffalo", "010239": "buffalo", "010290": "other bovines"},
    "CN": {"1509": "olive oil", "1510": "olive oil", "1511": "palm oil",
           "1513": "coconut and palm-kernel oil", "100111": "seed for sowing",
           "100191": "seed for sowing", "100310": "seed for sowing", "100510": "seed for sowing",
           "120110": "seed for sowing", "1102": "flour of other cereals"},
}
NEVER = {
    "AE": {"0203": "pork", "02063": "pig offal", "02064": "pig offal", "020910": "pig fat",
           "02101": "salted or smoked pork", "16024": "prepared pork"},
    "CN": {"121490": "clover, sainfoin and other hay", "151530": "castor oil",
           "151560": "microbial oils", "151590": "technical oils", "120921": "alfalfa seed"},
    "IR": {"040790": "preserved or cooked eggs"},
}


def _hs_2022() -> list[str]:
    import csv

    from graph import REFERENCE_DIR

    with (REFERENCE_DIR / "hs2022.csv").open(encoding="utf-8", newline="") as handle:
        return [row["hscode"] for row in csv.DictReader(handle)
                if row["hscode"].isdigit() and len(row["hscode"]) in (4, 6)]


def test_every_hs_2022_code_in_each_market_permits_only_what_the_source_names(embedded) -> None:
    """Every heading and subheading of HS 2022, asked in each market with a record: each
    "permitted" answer for a code the source's word does not name must rest on a recorded
    reading (an inference on the product or its HS codes), and pork is never permitted in the
    UAE."""
    codes = _hs_2022()
    assert len(codes) > 6000
    permitted: dict[str, set[str]] = {m: set() for m in MARKETS}
    failures = []
    for market in MARKETS:
        for code in codes:
            try:
                answer = check(embedded, code, market)
            except ResolveError:
                continue  # no product of the graph classifies it: nothing is answered
            if not answer["permitted"]:
                continue
            permitted[market].add(code)
            never = next((w for p, w in NEVER.get(market, {}).items() if code.startswith(p)), None)
            if never:
                failures.append(f"{code} {market}: permitted for {never}")
            unnamed = next((w for p, w in NOT_NAMED[market].items() if code.startswith(p)), None)
            readings = {n["field"] for n in answer["inferred"]} & {"hs_codes", "product"}
            if unnamed and not readings:
                failures.append(f"{code} {market}: permitted for {unnamed} with no reading")
    assert failures == []
    # the sweep did answer: the source's own products are permitted where it says so
    assert {"0203", "020311", "021011", "160241"}.isdisjoint(permitted["AE"])
    assert {"0201", "020230", "021020", "160250", "040721"} <= permitted["AE"]
    assert {"020410", "020443", "040721"} <= permitted["IR"]
    assert {"0204", "020450", "0102", "040711"}.isdisjoint(permitted["IR"])
    assert {"121410", "1511", "151211"} <= permitted["CN"]
