"""What a user types resolves to the right product or market, in any of the three languages."""

from __future__ import annotations

import csv
from collections import defaultdict

import pycountry
import pytest
from babel import Locale

from graph import DATA_DIR
from graph.answers.resolve import ProductIndex, fold, resolve_market, resolve_product
from graph.errors import ResolveError
from graph.namespaces import LANGUAGES, MARKET


def _id(resolved) -> str:
    return resolved.iri.rsplit("/", 1)[-1]


@pytest.mark.parametrize(("text", "folded"), [
    ("Мёд", "мед"), ("МЕД", "мед"), ("Қытай", "кытаи"), ("жоңышқа", "жонышка"),
    ("Café", "cafe"), ("  wheat   bran ", "wheat bran"), ("sheep-meat", "sheep meat"),
    ("«Баранина»", "баранина"), ("Côte d’Ivoire", "cote d ivoire"), ("Cote d'Ivoire", "cote d ivoire"),
])
def test_fold_removes_case_diacritics_and_kazakh_letters(text, folded) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(("text", "product"), [
    ("бидай", "wheat"), ("Пшеница", "wheat"), ("WHEAT", "wheat"),
    ("мёд", "honey"), ("мед", "honey"), ("Мед натуральный", "honey"),
    ("maize", "maize"), ("corn", "maize"), ("кукуруза", "maize"), ("жүгері", "maize"),
    ("жугери", "maize"),
    ("alfalfa", "alfalfa"), ("lucerne", "alfalfa"), ("люцерна", "alfalfa"),
    ("жонышқа", "alfalfa"),
    ("mutton", "mutton"), ("sheep meat", "mutton"), ("lamb", "mutton"), ("баранина", "mutton"),
    ("қой еті", "mutton"), ("кои ети", "mutton"),
    ("canola", "rapeseed"), ("soya beans", "soybeans"), ("КРС", "cattle"),
    ("охлажденная баранина", "chilled-mutton"), ("frozen lamb", "frozen-mutton"),
    ("wheat-bran", "wheat-bran"), ("https://w3id.org/agrikg/product/beef", "beef"),
])
def test_products_resolve_by_name_or_synonym_in_any_language(embedded, text, product) -> None:
    assert _id(resolve_product(embedded, text)) == product


@pytest.mark.parametrize(("code", "product"), [
    ("0204", "sheep-and-goat-meat"), ("02.04", "sheep-and-goat-meat"),
    ("0204.21", "chilled-mutton"), ("0204 21", "chilled-mutton"), ("020443", "frozen-mutton"),
    ("020450", "sheep-and-goat-meat"), ("1001", "wheat"), ("1001.99.000", "wheat"),
    ("0201", "chilled-beef"), ("0202", "frozen-beef"), ("0407.21", "edible-hen-eggs"),
    ("040790", "eggs"),
    ("01", "live-animals"), ("0101 29", "horses-for-slaughter"), ("010130", "horses"),
    ("1512", "vegetable-oil"),
    ("151211", "sunflower-oil"), ("121490", "forage"), ("121410", "alfalfa"), ("0203", "pork"),
    ("160241", "pork-preparations"), ("0210 20", "meat-except-pork"),
    ("1511", "vegetable-oil"), ("10", "cereals"),
])
def test_hs_codes_resolve_to_the_most_specific_product(embedded, code, product) -> None:
    resolved = resolve_product(embedded, code)
    assert resolved.matched_by == "hs-code"
    assert _id(resolved) == product


def test_an_hs_code_no_product_falls_under_suggests_narrower_products(embedded) -> None:
    with pytest.raises(ResolveError) as caught:
        resolve_product(embedded, "02")
    assert any("Meat" in s for s in caught.value.suggestions)


@pytest.mark.parametrize("text", ["0", "12345678901", "8703"])
def test_bad_or_foreign_hs_codes_are_refused(embedded, text) -> None:
    with pytest.raises(ResolveError):
        resolve_product(embedded, text)


@pytest.mark.parametrize(("text", "suggestion"), [
    ("wheet", "Wheat"), ("barly", "Barley"), ("пшеничка", "Пшеница"),
])
def test_unknown_products_come_with_the_closest_matches(embedded, text, suggestion) -> None:
    lang = "ru" if suggestion == "Пшеница" else "en"
    with pytest.raises(ResolveError) as caught:
        resolve_product(embedded, text, lang=lang)
    assert any(suggestion in s for s in caught.value.suggestions), caught.value.suggestions
    assert "closest matches" in str(caught.value)


@pytest.mark.parametrize(("text", "market"), [
    ("CN", "CN"), ("cn", "CN"), ("CHN", "CN"), ("156", "CN"), ("China", "CN"), ("Китай", "CN"),
    ("Қытай", "CN"), ("КНР", "CN"), ("ҚХР", "CN"), ("People's Republic of China", "CN"),
    ("IR", "IR"), ("IRN", "IR"), ("Иран", "IR"), ("Iran", "IR"),
    ("Islamic Republic of Iran", "IR"),
    ("ОАЭ", "AE"), ("UAE", "AE"), ("БАӘ", "AE"), ("Біріккен Араб Әмірліктері", "AE"),
    ("Объединенные Арабские Эмираты", "AE"),
    ("Saudi Arabia", "SA"), ("Саудовская Аравия", "SA"), ("Сауд Арабиясы", "SA"), ("KSA", "SA"),
    ("Germany", "DE"), ("Германия", "DE"), ("Германия ", "DE"), ("Kazakhstan", "KZ"),
])
def test_markets_resolve_by_iso_code_or_name(embedded, text, market) -> None:
    assert _id(resolve_market(embedded, text)) == market


def test_an_unknown_market_comes_with_the_closest_matches(embedded) -> None:
    with pytest.raises(ResolveError) as caught:
        resolve_market(embedded, "Germny")
    assert any("Germany" in s for s in caught.value.suggestions)


# Every market by its CLDR name in each language, taken from Babel at collection time.
CLDR = {lang: {c.alpha_2: Locale.parse(lang).territories[c.alpha_2] for c in pycountry.countries}
        for lang in LANGUAGES}
CLDR_NAMES = [(lang, c.alpha_2, CLDR[lang][c.alpha_2]) for lang in LANGUAGES
              for c in pycountry.countries]


def test_cldr_covers_every_market_in_every_language() -> None:
    assert len(CLDR_NAMES) == 3 * 249


@pytest.mark.parametrize(("lang", "code", "name"), CLDR_NAMES,
                         ids=[f"{lang}-{code}" for lang, code, _ in CLDR_NAMES])
def test_every_market_resolves_by_its_cldr_name(embedded, lang, code, name) -> None:
    resolved = resolve_market(embedded, name, lang)
    assert _id(resolved) == code, name
    assert resolved.matched_by == "label"
    # Asked in another language the name still finds the market, or, where it is a second
    # market's name too, lists both rather than pick one.
    for other in set(LANGUAGES) - {lang}:
        try:
            assert _id(resolve_market(embedded, name, other)) == code
        except ResolveError as exc:
            assert exc.ambiguous and str(MARKET[code]) in [m["iri"] for m in exc.matches]


def _curated() -> list[tuple[str, str, str]]:
    with (DATA_DIR / "markets.csv").open(encoding="utf-8") as handle:
        return [(lang, row["code"], name.strip()) for row in csv.DictReader(handle)
                for lang in LANGUAGES for name in row[f"alt_{lang}"].split(";") if name.strip()]


CURATED = _curated()


@pytest.mark.parametrize(("lang", "code", "name"), CURATED,
                         ids=[f"{lang}-{code}-{name}" for lang, code, name in CURATED])
def test_every_curated_common_name_resolves(embedded, lang, code, name) -> None:
    """A name curated for one market is its common meaning; one curated for several (Congo)
    lists them all, unless it is the CLDR name in the asked language."""
    owners = defaultdict(set)
    for _, owner, other in CURATED:
        owners[fold(other)].add(owner)
    cldr_owner = next((c for c, n in CLDR[lang].items() if fold(n) == fold(name)), None)
    shared = owners[fold(name)]
    if len(shared) == 1 or cldr_owner in shared:
        assert _id(resolve_market(embedded, name, lang)) == (cldr_owner or code)
    else:
        with pytest.raises(ResolveError) as caught:
            resolve_market(embedded, name, lang)
        assert caught.value.ambiguous
        assert {m["code"] for m in caught.value.matches} == shared


ISO_NAMES = [(c.alpha_2, name) for c in pycountry.countries
             for name in dict.fromkeys([c.name, getattr(c, "official_name", c.name),
                                        getattr(c, "common_name", c.name)])]


@pytest.mark.parametrize(("code", "name"), ISO_NAMES, ids=[f"{c}-{n}" for c, n in ISO_NAMES])
def test_every_iso_name_resolves(embedded, code, name) -> None:
    try:
        assert _id(resolve_market(embedded, name)) == code
    except ResolveError as exc:  # "Congo": the Republic's ISO name, and the other's too
        assert exc.ambiguous and code in [m["code"] for m in exc.matches], str(exc)


@pytest.mark.parametrize(("text", "market"), [
    ("Russia", "RU"), ("Ресей", "RU"), ("Россия", "RU"), ("Российская Федерация", "RU"),
    ("Russian Federation", "RU"), ("РФ", "RU"),
    ("USA", "US"), ("US", "US"), ("U.S.", "US"), ("АҚШ", "US"), ("США", "US"), ("America", "US"),
    ("UK", "GB"), ("Britain", "GB"), ("Great Britain", "GB"), ("Ұлыбритания", "GB"),
    ("Великобритания", "GB"), ("Англия", "GB"),
    ("Türkiye", "TR"), ("Turkiye", "TR"), ("Turkey", "TR"), ("Түркия", "TR"), ("Турция", "TR"),
    ("South Korea", "KR"), ("Korea", "KR"), ("Корея", "KR"), ("Оңтүстік Корея", "KR"),
    ("Южная Корея", "KR"), ("North Korea", "KP"), ("DPRK", "KP"), ("КНДР", "KP"),
    ("Belarus", "BY"), ("Белоруссия", "BY"), ("Беларусь", "BY"),
    ("Kyrgyzstan", "KG"), ("Киргизия", "KG"), ("Кыргызстан", "KG"), ("Қырғызстан", "KG"),
    ("Moldova", "MD"), ("Молдавия", "MD"), ("Молдова", "MD"),
    ("Czechia", "CZ"), ("Czech Republic", "CZ"), ("Côte d'Ivoire", "CI"), ("Ivory Coast", "CI"),
    ("Eswatini", "SZ"), ("Swaziland", "SZ"), ("Myanmar", "MM"), ("Burma", "MM"),
    ("North Macedonia", "MK"), ("Macedonia", "MK"), ("Netherlands", "NL"), ("Holland", "NL"),
    ("Persia", "IR"), ("Vietnam", "VN"), ("Viet Nam", "VN"), ("Laos", "LA"), ("Syria", "SY"),
    ("Tanzania", "TZ"), ("Bolivia", "BO"), ("Venezuela", "VE"), ("Micronesia", "FM"),
    ("Микронезия", "FM"), ("Cape Verde", "CV"), ("Cabo Verde", "CV"), ("Timor-Leste", "TL"),
    ("East Timor", "TL"), ("Восточный Тимор", "TL"), ("UAE", "AE"), ("ОАЭ", "AE"),
    ("БАӘ", "AE"), ("KSA", "SA"), ("PRC", "CN"), ("DR Congo", "CD"), ("Zaire", "CD"),
    ("Guinea", "GN"), ("Гвинея", "GN"),
])
def test_markets_resolve_by_their_everyday_and_historical_names(embedded, text, market) -> None:
    for lang in LANGUAGES:
        assert _id(resolve_market(embedded, text, lang)) == market, (text, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("text", ["Congo", "Конго"])
def test_a_name_two_markets_share_lists_both_in_the_asked_language(embedded, text, lang) -> None:
    if lang == "kk" and text == "Конго":  # CLDR's Kazakh name of Congo - Kinshasa
        assert _id(resolve_market(embedded, text, lang)) == "CD"
        return
    with pytest.raises(ResolveError) as caught:
        resolve_market(embedded, text, lang)
    assert caught.value.ambiguous
    assert caught.value.matches == [
        {"code": code, "iri": str(MARKET[code]), "label": CLDR[lang][code]} for code in ("CD", "CG")]
    assert "more than one market" in str(caught.value)


@pytest.mark.parametrize(("text", "lang", "code"), [
    ("Germny", "en", "DE"), ("Германя", "ru", "DE"), ("Гермния", "kk", "DE"),
    ("Росия", "ru", "RU"), ("Rusia", "kk", "RU"), ("Ukraina", "en", "UA"),
])
def test_an_unknown_market_is_suggested_in_the_asked_language_with_its_code(
        embedded, text, lang, code) -> None:
    with pytest.raises(ResolveError) as caught:
        resolve_market(embedded, text, lang)
    assert not caught.value.ambiguous
    assert {"code": code, "iri": str(MARKET[code]), "label": CLDR[lang][code]} in caught.value.matches
    assert f"{CLDR[lang][code]} ({code})" in caught.value.suggestions


def test_a_short_name_is_not_suggested_for_a_longer_one_that_contains_it(embedded) -> None:
    """"uk" (Britain) is inside "ukraina", and "us" inside "brussels": not a suggestion."""
    for text in ("Ukraina", "Brussels"):
        with pytest.raises(ResolveError) as caught:
            resolve_market(embedded, text)
        assert {"GB", "US"}.isdisjoint(m["code"] for m in caught.value.matches), text


def test_an_unknown_product_is_suggested_with_its_id_and_iri(embedded) -> None:
    with pytest.raises(ResolveError) as caught:
        resolve_product(embedded, "пшеничка", "kk")
    wheat = next(m for m in caught.value.matches if m["id"] == "wheat")
    assert wheat == {"id": "wheat", "iri": "https://w3id.org/agrikg/product/wheat", "label": "Бидай"}


def test_a_compacted_product_index_names_the_same_products() -> None:
    """The served index keeps its names in one string and the codes and the hierarchy as
    tuples: what each name names, and how a synonym yields to a prefLabel, is as before."""
    index = ProductIndex()
    for product, name in [("p/wheat", "wheat"), ("p/durum", "wheat"), ("p/durum", "durum"),
                          ("p/bran", "bran")]:
        index.add_name(product, name)
    index.by_pref["wheat"].add("p/wheat")
    index.codes["p/wheat"].append("1001")
    index.broader["p/durum"].append("p/wheat")
    index.labels["p/wheat"] |= {"en": "Wheat", "ru": "Пшеница"}
    index.labels["p/durum"]["ru"] = "Твёрдая пшеница"
    before = {name: sorted(found) for name, found in index.by_name.items()}
    shown = [(p, lang, index.label(p, lang)) for p in index.labels for lang in ("en", "ru", "kk")]
    index.compact()
    assert [(p, lang, index.label(p, lang)) for p, lang, _ in shown] == shown
    assert index.label("p/durum", "kk") == "durum" and index.label("p/wheat", "kk") == "Wheat"
    assert index.named("wheat") == ("p/wheat",)  # the prefLabel, not the synonym
    assert index.named("durum") == ("p/durum",) and index.named("rye") == ()
    assert {name: sorted(found) for name, found in index.names()} == before
    assert sorted(index.containing("ra")) == [("bran", ("p/bran",))]
    assert sorted(index.containing("")) == sorted(index.names())
    assert [name for name, _ in index.containing("e")] == ["wheat"]  # each name once
    assert index.codes["p/wheat"] == ("1001",) and index.ancestors("p/durum") == {"p/wheat": 1}
