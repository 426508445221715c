"""Every ISO 3166-1 country as a market: codes from pycountry, names in Kazakh, Russian and
English from CLDR (through Babel), the standard for territory names.

The CLDR name is the prefLabel in each language, since it is the name people and software
expect ("Россия", "Ресей", "Türkiye"); pycountry's ISO names ("Russian Federation",
"Korea, Republic of") and their gettext translations stay as altLabels where they differ,
so that every name either source gives resolves. The everyday short and historical names
(USA, UK, Белоруссия, Burma...) are curated in graph/data/markets.csv.

Open world: a market the source never mentions still exists, so a check on it answers
"unknown" rather than "no such market".
"""

from __future__ import annotations

import gettext
from functools import cache

import pycountry
from babel import Locale, UnknownLocaleError
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SKOS

from graph.build.terms import AGK, MARKET, SCHEMA
from graph.errors import BuildError, Problem
from graph.namespaces import LANGUAGES

SOURCE = "pycountry ISO 3166-1 (codes), Unicode CLDR via Babel (names)"
# Unions that admit products as one market, by their ISO 3166-1 exceptionally reserved code; CLDR
# names them as territories too. Sources speak of the EU's decisions (honey, 2025).
UNIONS = ("EU",)


def _missing(package: str, lang: str, detail: str) -> BuildError:
    """A locale the market names need is not installed: a broken installation, said as such
    (never markets silently named in English)."""
    return BuildError([Problem(f"{package} locale {lang!r}", None, "locale data",
                               f"{package} has no {lang!r} data ({detail}); the market names "
                               f"in {lang} come from it. Reinstall {package} with its locale "
                               "data (pip install --force-reinstall " + package + ")")])


def _translator(lang: str) -> gettext.GNUTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
    except OSError as exc:
        raise _missing("pycountry", lang, f"no iso3166-1 catalogue in {pycountry.LOCALES_DIR}: "
                                          f"{exc}") from None


@cache
def cldr_names(lang: str) -> dict[str, str]:
    """CLDR's name of each territory in `lang`, by ISO 3166-1 alpha-2 code (Babel's data
    ships with the package: no network)."""
    try:
        names = dict(Locale.parse(lang).territories)
    except (UnknownLocaleError, ValueError, OSError) as exc:
        raise _missing("Babel", lang, f"{type(exc).__name__}: {exc}") from None
    if not names:
        raise _missing("Babel", lang, "its CLDR data names no territories")
    return names


def iso_names(country: object) -> list[str]:
    """The English names pycountry gives a country: short, official, common."""
    names = [country.name]  # type: ignore[attr-defined]
    for attr in ("official_name", "common_name"):
        value = getattr(country, attr, None)
        if value and value not in names:
            names.append(value)
    return names


def market_graph() -> Graph:
    """Markets with alpha-2/alpha-3/numeric codes, the CLDR name as prefLabel in kk, ru and en,
    pycountry's names (translated where its catalogue has them) as altLabels."""
    g = Graph()
    translators = {lang: _translator(lang) for lang in LANGUAGES if lang != "en"}
    cldr = {lang: cldr_names(lang) for lang in LANGUAGES}
    # Whose CLDR name each name is: pycountry's kk catalogue gives Nepal the name of the
    # Central African Republic, and its "Конго" is what CLDR calls the other Congo. CLDR wins.
    cldr_owner = {name.casefold(): code for names in cldr.values() for code, name in names.items()}
    for country in pycountry.countries:
        code = country.alpha_2
        node = MARKET[code]
        g.add((node, RDF.type, AGK.Market))
        g.add((node, RDF.type, SCHEMA.Country))
        g.add((node, AGK.iso3166Alpha2, Literal(code)))
        g.add((node, AGK.iso3166Alpha3, Literal(country.alpha_3)))
        g.add((node, AGK.iso3166Numeric, Literal(country.numeric)))
        english = iso_names(country)
        for lang in LANGUAGES:
            pref = cldr[lang].get(code) or cldr["en"].get(code) or english[0]
            g.add((node, SKOS.prefLabel, Literal(pref, lang=lang)))
            if lang == "en":
                others = english
            else:
                # An untranslated msgid comes back as the English text: not a name in `lang`.
                others = [t for t in (translators[lang].gettext(n) for n in english)
                          if t not in english]
            for name in dict.fromkeys(others):
                if name != pref and cldr_owner.get(name.casefold(), code) == code:
                    g.add((node, SKOS.altLabel, Literal(name, lang=lang)))
    for code in UNIONS:
        node = MARKET[code]
        g.add((node, RDF.type, AGK.Market))
        g.add((node, RDF.type, AGK.MarketUnion))
        g.add((node, AGK.iso3166Alpha2, Literal(code)))
        for lang in LANGUAGES:
            g.add((node, SKOS.prefLabel, Literal(cldr[lang][code], lang=lang)))
    return g
