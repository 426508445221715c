"""What a user types resolves to the right product or market, in any of the three languages."""

from __future__ import annotations

import pytest

from graph.errors import ResolveError
from graph.resolve import fold, resolve_market, resolve_product


def _id(resolved) -> str:
    return resolved.iri.rsplit("/", 1)[-1]


@pytest.mark.parametrize(("text", "folded"), [
    ("Мёд", "мед"), ("МЕД", "мед"), ("Қытай", "кытаи"), ("жоңышқа", "жонышка"),
    ("Café", "cafe"), ("  wheat   bran ", "wheat bran"), ("sheep-meat", "sheep meat"),
    ("«Баранина»", "баранина"),
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
    ("0201", "beef"), ("0407.21", "edible-hen-eggs"), ("040790", "edible-eggs"),
    ("01", "live-animals"), ("0101 29", "horses"), ("1512", "sunflower-oil"),
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
