"""Every market is named as CLDR names it in kk, ru and en, with pycountry's ISO names kept
beside it; the expected names come from Babel and pycountry themselves at test time."""

from __future__ import annotations

import csv

import pycountry
import pytest
from babel import Locale

from graph import DATA_DIR
from graph.namespaces import LANGUAGES

SKOS = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"


def _labels(embedded, prop: str) -> dict[tuple[str, str], set[str]]:
    """(alpha-2, lang) -> the market's labels by `prop` in that language."""
    rows = embedded.select(SKOS + f"""PREFIX agk: <https://w3id.org/agrikg/ontology#>
        SELECT ?code ?label (LANG(?label) AS ?lang) WHERE {{
          ?m a agk:Market ; agk:iso3166Alpha2 ?code ; {prop} ?label }}""")
    found: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        found.setdefault((row["code"], row["lang"]), set()).add(row["label"])
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_market_has_the_cldr_name_as_its_one_pref_label(embedded, lang) -> None:
    cldr = Locale.parse(lang).territories
    pref = _labels(embedded, "skos:prefLabel")
    expected = {c.alpha_2: {cldr[c.alpha_2]} for c in pycountry.countries}
    assert len(expected) == 249
    assert {code: pref.get((code, lang)) for code in expected} == expected


def test_pycountry_names_stay_as_alt_labels(embedded) -> None:
    pref, alt = _labels(embedded, "skos:prefLabel"), _labels(embedded, "skos:altLabel")
    missing = [(c.alpha_2, name) for c in pycountry.countries
               for name in {c.name, getattr(c, "official_name", c.name)}
               if name not in pref[c.alpha_2, "en"] | alt.get((c.alpha_2, "en"), set())]
    assert missing == []
    assert "Russian Federation" in alt["RU", "en"] and pref["RU", "en"] == {"Russia"}
    assert "Российская Федерация" in alt["RU", "ru"]


def test_no_market_has_a_name_as_both_pref_and_alt_label(embedded) -> None:
    pref, alt = _labels(embedded, "skos:prefLabel"), _labels(embedded, "skos:altLabel")
    assert {key: names & pref[key] for key, names in alt.items() if names & pref[key]} == {}


def test_no_iso_name_is_another_markets_cldr_name(embedded) -> None:
    """pycountry's kk catalogue calls Nepal "Орталық Африка Республикасы", CLDR's name of the
    Central African Republic: CLDR wins, and only a curated name may be shared on purpose."""
    curated = {(row["code"], name) for row in csv.DictReader(
        (DATA_DIR / "markets.csv").open(encoding="utf-8"))
        for lang in LANGUAGES for name in row[f"alt_{lang}"].split(";")}
    curated = {(code, name.strip()) for code, name in curated}
    owner = {name.casefold(): code for lang in LANGUAGES
             for code, name in Locale.parse(lang).territories.items()
             if pycountry.countries.get(alpha_2=code)}
    alt = _labels(embedded, "skos:altLabel")
    clashes = [(code, name, owner[name.casefold()]) for (code, _), names in alt.items()
               for name in names if owner.get(name.casefold(), code) != code
               and (code, name) not in curated]
    assert clashes == []


def test_a_missing_pycountry_catalogue_is_an_error_not_english_names(monkeypatch, tmp_path) -> None:
    from graph.build import market_vocabulary
    from graph.errors import BuildError

    monkeypatch.setattr(market_vocabulary.pycountry, "LOCALES_DIR", str(tmp_path))
    with pytest.raises(BuildError) as caught:
        market_vocabulary.market_graph()
    [problem] = caught.value.problems
    assert problem.rule == "locale data" and "pycountry" in problem.message
    assert "iso3166-1" in problem.message


def test_missing_babel_locale_data_is_an_error_not_english_names(monkeypatch) -> None:
    from babel import UnknownLocaleError

    from graph.build import market_vocabulary
    from graph.errors import BuildError

    class NoData:
        @staticmethod
        def parse(lang: str) -> None:
            raise UnknownLocaleError(lang)

    market_vocabulary.cldr_names.cache_clear()
    monkeypatch.setattr(market_vocabulary, "Locale", NoData)
    try:
        with pytest.raises(BuildError) as caught:
            market_vocabulary.market_graph()
    finally:
        market_vocabulary.cldr_names.cache_clear()
    [problem] = caught.value.problems
    assert problem.rule == "locale data" and "Babel" in problem.message
