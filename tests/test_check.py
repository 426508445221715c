"""The market-access check, table-driven over every fact of the source, in kk, ru and en,
by HS code, on the embedded store and on a real Oxigraph server."""

from __future__ import annotations

import pytest

from graph.answers.check import check, validated
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
# The day the first report's year records start: later dated records supersede some of them,
# so the table of the first report's facts is asked as of this day.
SEED = "2018-01-01"


def test_the_table_covers_every_fact_of_the_source() -> None:
    by_market = {m: sum(1 for f in FACTS if f[5] == m) for m in MARKETS}
    assert by_market == {"CN": 14, "IR": 6, "SA": 2, "AE": 3}


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
@pytest.mark.parametrize("fact", FACTS, ids=IDS)
def test_every_fact_answers_in_each_language(store, fact, lang) -> None:
    product_id, kk, ru, en, _hs, market, status, vet, quote = fact
    name = {"kk": kk, "ru": ru, "en": en}[lang]
    market_name = MARKETS[market][("kk", "ru", "en").index(lang)]
    answer = validated(check(store, name, market_name, lang=lang, as_of=SEED))
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
    answer = check(store, hs, market, as_of=SEED)
    assert answer["product"]["matched_by"] == "hs-code"
    assert answer["status"] == status
    found_on = (answer["via"] or answer["product"])["id"]
    assert found_on == product_id
    assert quote in answer["sources"][0]["quote_kk"]


def test_iran_market_of_the_planned_cattle_record_is_marked_inferred(store) -> None:
    answer = check(store, "cattle", "IR", as_of=SEED)
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
    answer = check(store, product_id, market, lang="ru", as_of=SEED)
    fields = {note["field"] for note in answer["inferred"]}
    assert {"exporter", "as_of"} <= fields
    assert all(note["field_label"] and note["reason"] for note in answer["inferred"])
    reading = answer["permitted_reading"]
    assert reading["stated_by_source"] is False and reading["derived_from"] == "status"
    assert answer["status_label"] in reading["note"] and "ни один источник" in reading["note"]


def test_planned_requirements_are_not_read_as_a_bare_no(store) -> None:
    answer = check(store, "cattle", "IR", lang="ru", as_of=SEED)
    assert answer["permitted"] is False
    assert answer["permitted_reading"]["text"] == "пока нет: требования ещё не согласованы"
    agreed = check(store, "beef", "IR", lang="kk", as_of=SEED)
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
    answer = check(store, product, market, as_of=SEED)
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
    answer = check(store, product, market, as_of=SEED)
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
    answer = check(store, product, market, lang=lang, as_of=SEED)
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
    answer = check(store, "hen eggs", "IR", lang="ru", as_of=SEED)
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
    message = check(store, product, "AE", lang=lang, as_of=SEED)["message"]
    assert all(w in message for w in words), message


def test_an_unknown_answer_reads_right_in_russian(store) -> None:
    message = check(store, "honey", "IR", lang="ru")["message"]
    assert message.startswith("Нет данных. Продукция: «Мёд»; рынок: Иран.")


def test_the_json_answer_has_every_field_the_issue_names(embedded) -> None:
    answer = check(embedded, "beef", "IR", lang="ru", as_of=SEED)
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
    "CN": {"41012": "horse hides (with cattle hides)", "41015": "horse hides (with cattle hides)",
           "41019": "horse hides (with cattle hides)", "1509": "olive oil", "1510": "olive oil",
           "1511": "palm oil",
           "1513": "coconut and palm-kernel oil", "100111": "seed for sowing",
           "100191": "seed for sowing", "100310": "seed for sowing", "100510": "seed for sowing",
           "120110": "seed for sowing", "1102": "flour of other cereals"},
}
NEVER = {
    "AE": {"0203": "pork", "02063": "pig offal", "02064": "pig offal", "020910": "pig fat",
           "02101": "salted or smoked pork", "16024": "prepared pork"},
    "CN": {"121490": "clover, sainfoin and other hay", "151530": "castor oil",
           "151560": "microbial oils", "151590": "technical oils", "120921": "alfalfa seed",
           # the protocols of 2018 and 2020 name canola meal and milk, not these
           "230649": "rapeseed meal other than canola", "0403": "fermented milk",
           "0404": "whey", "0405": "butter", "0406": "cheese"},
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


# -- as of a date: the one rule over the made-up history of tests/data/history/uz-jp.ttl ---------
# (exporter UZ, market JP). Each row: product, asked date, status, the record that answers
# (None: unknown or a conflict), the broader product it is on (`via`).
UZ = "UZ"
HISTORY = [
    # before any record: unknown, and the message says the first record comes later
    ("beef", "2014", "unknown", None, None),
    # meat restricted from 2015 (year precision: from 1 January)
    ("beef", "2015-01-01", "restricted", "test-uz-jp-meat-2015", "meat"),
    ("beef", "2017", "restricted", "test-uz-jp-meat-2015", "meat"),
    # meat other than pork open from 2018 (year): it meets beef's day record of 7 June 2018 by
    # its start, 1 January, so it answers until 6 June and the day record from 7 June
    ("beef", "2018-01-01", "open", "test-uz-jp-meat-except-pork-2018", "meat-except-pork"),
    ("beef", "2018-05", "open", "test-uz-jp-meat-except-pork-2018", "meat-except-pork"),
    ("beef", "2018-06-06", "open", "test-uz-jp-meat-except-pork-2018", "meat-except-pork"),
    ("beef", "2018-06-07", "requirements-agreed", "test-uz-jp-beef-2018-06-07", None),
    ("beef", "2018-06", "requirements-agreed", "test-uz-jp-beef-2018-06-07", None),
    ("beef", "2018", "requirements-agreed", "test-uz-jp-beef-2018-06-07", None),
    # 1 March 2019: meat restricted and beef open on the same day: the more specific wins
    ("beef", "2019-02-28", "requirements-agreed", "test-uz-jp-beef-2018-06-07", None),
    ("beef", "2019-03-01", "open", "test-uz-jp-beef-2019-03-01", None),
    ("mutton", "2019-02-28", "open", "test-uz-jp-meat-except-pork-2018", "meat-except-pork"),
    ("mutton", "2019-03-01", "restricted", "test-uz-jp-meat-2019-03-01", "meat"),
    ("beef", "2021-12-31", "open", "test-uz-jp-beef-2019-03-01", None),
    ("beef", "2022-01-01", "restricted", "test-uz-jp-beef-2022", None),
    ("beef", "2023-06-01", "restricted", "test-uz-jp-beef-2022", None),
    ("beef", "2024-02-06", "restricted", "test-uz-jp-beef-2022", None),
    ("beef", "2024-02-07", "restriction-lifted", "test-uz-jp-beef-2024-02-07", None),
    ("beef", "2024-06-01", "restriction-lifted", "test-uz-jp-beef-2024-02-07", None),
    # wheat: two sources disagree for May 2020; a record of 2021 settles it
    ("wheat", "2020-04", "unknown", None, None),
    ("wheat", "2020-05-01", "conflict", None, None),
    ("wheat", "2020", "conflict", None, None),
    ("wheat", "2021-01-01", "open", "test-uz-jp-wheat-2021", None),
]


@pytest.mark.parametrize(("product", "as_of", "status", "record", "via"), HISTORY,
                         ids=[f"{h[0]}-{h[1]}" for h in HISTORY])
def test_the_answer_as_of_each_date_before_and_after_each_change(history_store, product, as_of,
                                                                  status, record, via) -> None:
    answer = validated(check(history_store, product, "JP", exporter=UZ, as_of=as_of))
    assert answer["as_of_asked"] == as_of
    assert answer["status"] == status
    assert answer["record"] == (RECORD + record if record else None)
    assert (answer["via"] or {}).get("id") == via
    if record:  # each answer with its source: the document's own words and where they stand
        [source] = answer["sources"]
        assert source["quote_lang"] == "ru" and source["quote"]
        assert source["url"] == "https://example.org/uz-jp-report"
        assert source["publisher"] == "Test Publisher"
        assert source["translation"] and source["translation_lang"] == "en"
    answering = [step["record"] for step in answer["history"] if step["answers"]]
    if record:
        assert answering == [RECORD + record]
    if status == "unknown":
        assert answer["permitted"] is None and answering == []


def test_two_dates_a_change_apart_answer_differently_each_with_its_source(history_store) -> None:
    before = check(history_store, "beef", "JP", exporter=UZ, as_of="2023-06-01")
    after = check(history_store, "beef", "JP", exporter=UZ, as_of="2024-05-01")
    assert (before["status"], before["permitted"]) == ("restricted", False)
    assert (after["status"], after["permitted"]) == ("restriction-lifted", True)
    assert "2022" in before["sources"][0]["quote"]
    assert "7 февраля 2024" in after["sources"][0]["quote"]


def test_history_lists_every_record_of_the_pair_and_its_broader_products_oldest_first(
        history_store) -> None:
    answer = check(history_store, "beef", "JP", exporter=UZ, as_of="2023-06-01", lang="ru")
    steps = [(s["record"].removeprefix(RECORD + "test-uz-jp-"), s["product"], s["in_effect"],
              s["answers"]) for s in answer["history"]]
    assert steps == [
        ("meat-2015", "meat", True, False),
        ("meat-except-pork-2018", "meat-except-pork", True, False),
        ("beef-2018-06-07", "beef", True, False),
        ("meat-2019-03-01", "meat", True, False),  # same day as beef's: the broader first
        ("beef-2019-03-01", "beef", True, False),
        ("beef-2022", "beef", True, True),
        ("beef-2024-02-07", "beef", False, False),  # after the asked date
    ]
    last = answer["history"][-1]
    assert last["supersedes"] == sorted(RECORD + f"test-uz-jp-beef-{d}"
                                        for d in ("2018-06-07", "2019-03-01", "2022"))
    assert (last["as_of"], last["precision"], last["report_date"]) == \
        ("2024-02-07", "day", "2024-02-10")
    assert last["status_label"] == "Ограничения сняты"
    assert last["sources"][0]["translation_lang"] == "en"  # asked in the quote's language: en
    assert answer["conflicts"] == []


def test_a_conflict_shows_every_source_and_picks_none(history_store) -> None:
    answer = check(history_store, "wheat", "JP", exporter=UZ, as_of="2020-06", lang="kk")
    assert answer["status"] == "conflict" and answer["permitted"] is False
    assert answer["status_label"] == "Дереккөздер келіспейді"
    assert answer["permitted_reading"]["derived_from"] == "conflict"
    tied = [RECORD + "test-uz-jp-wheat-2020-05-a", RECORD + "test-uz-jp-wheat-2020-05-b"]
    assert answer["conflicts"] == [{"as_of": "2020-05", "product": "wheat", "records": tied,
                                    "statuses": ["open", "restricted"]}]
    assert {s["statement"].rsplit("/", 1)[-1] for s in answer["sources"]} == \
        {"test-uz-wheat-open", "test-uz-wheat-closed"}
    assert [s["record"] for s in answer["history"] if s["answers"]] == tied
    assert answer["record"] is None
    settled = check(history_store, "wheat", "JP", exporter=UZ, as_of="2021-02")
    assert settled["conflicts"] == [] and settled["status"] == "open"


@pytest.mark.parametrize(("product", "market", "as_of", "measures", "permitted"), [
    # the market says lifted; the exporter's own ban on meat other than pork to Japan says no
    ("beef", "JP", "2024-05-31", [], True),
    ("beef", "JP", "2024-06-01", ["test-uz-ban-meat-jp-2024"], False),
    ("beef", "JP", "2024-08", ["test-uz-ban-meat-jp-2024"], False),  # to the end of August
    ("beef", "JP", "2024-09-01", [], True),
    ("pork", "JP", "2024-07-01", [], False),  # not meat other than pork: meat's restriction
    # a quota is reported, and does not stop supply
    ("beef", "JP", "2025-03", ["test-uz-quota-beef-2025"], True),
    # a ban on cattle to all markets: false even where the market's status is unknown
    ("cattle", "CN", "2021-05-01", ["test-uz-ban-cattle-2021"], False),
    ("cattle", "JP", "2021-10-01", [], None),
])
def test_the_exporters_own_measures_in_force_and_a_ban_overrides_the_market(
        history_store, product, market, as_of, measures, permitted) -> None:
    answer = check(history_store, product, market, exporter=UZ, as_of=as_of, lang="en")
    assert [m["measure"].rsplit("/", 1)[-1] for m in answer["exporter_measures"]] == measures
    assert answer["permitted"] is permitted
    reading = answer["permitted_reading"]
    if measures and measures[0].startswith("test-uz-ban"):
        assert reading["derived_from"] == "exporter_measure"
        assert reading["measure"].endswith(measures[0])
        assert answer["exporter_measures"][0]["label"] in reading["text"]
        assert "ban" in answer["message"]
        assert answer["exporter_measures"][0]["sources"][0]["quote"]
    else:
        assert reading["derived_from"] != "exporter_measure"


def test_the_quota_carries_its_quantity_unit_and_period(history_store) -> None:
    [quota] = check(history_store, "beef", "JP", exporter=UZ, as_of="2025-06-30",
                    lang="ru")["exporter_measures"]
    assert (quota["kind"], quota["quantity"], quota["unit"], quota["all_markets"]) == \
        ("quota", 13000.0, "t", True)
    assert quota["start"] == {"value": "2025-01", "precision": "month"}
    assert quota["label"] == "Квота на вывоз говядины 2025"


@pytest.mark.parametrize("bad", ["2024-13", "24", "2024-02-30", "yesterday", "2024/02/07",
                                 "1899", "2024-2-7"])
def test_a_date_that_is_not_one_is_refused_saying_what_is_accepted(history_store, bad) -> None:
    from graph.errors import BadDate

    with pytest.raises(BadDate) as raised:
        check(history_store, "beef", "JP", exporter=UZ, as_of=bad)
    assert "YYYY-MM-DD" in raised.value.message("en")
    assert "ГГГГ-ММ-ДД" in raised.value.message("ru")
    assert "ЖЖЖЖ-АА-КК" in raised.value.message("kk")


def test_the_real_beef_china_history_answers_differently_before_and_after_2024(store) -> None:
    """Once the dated records of China are in the data: beef to China as of mid-2023 (the
    restrictions of 2022) and mid-2024 (lifted in February 2024) differ, each with its
    source."""
    before = check(store, "beef", "CN", as_of="2023-06-01")
    if len(before["history"]) < 2:
        pytest.skip("the dated records of China are not in graph/data yet")
    after = check(store, "beef", "CN", as_of="2024-06-01")
    assert before["status"] != after["status"]
    assert before["sources"] and after["sources"]
    assert before["sources"][0]["quote"] != after["sources"][0]["quote"]


@pytest.mark.build  # a build of its own (graph/data plus tests/data/history)
def test_the_check_reads_what_the_build_writes_from_dated_curated_files(history_settings) -> None:
    """End to end through the loader: records/*.csv and measures.csv, built, then checked."""
    from graph.store.backends import open_store

    store = open_store(history_settings)
    before = check(store, "beef", "JP", as_of="2023-06-01")
    after = check(store, "beef", "JP", as_of="2024-02")  # month precision: from 1 February
    assert (before["status"], after["status"]) == ("restricted", "restriction-lifted")
    assert before["record"] == RECORD + "kz-jp-beef-2022"
    assert {s["quote_lang"] for s in before["sources"]} == {"ru", "en"}  # two sources
    assert all(s["url"] and s["publisher"] and s["published"] for s in before["sources"])
    assert [m["measure"].rsplit("/", 1)[-1] for m in before["exporter_measures"]] == \
        ["kz-quota-test-beef-2023"]
    [lifted] = [s for s in after["history"] if s["answers"]]
    assert lifted["supersedes"] == [RECORD + "kz-jp-beef-2022"] and lifted["report_date"]
    honey = check(store, "honey", "JP", as_of="2023-04")
    assert honey["permitted"] is False
    assert honey["permitted_reading"]["measure"].endswith("kz-ban-test-honey-2023-03-01")
    assert check(store, "honey", "JP", as_of="2023-06")["permitted"] is None
