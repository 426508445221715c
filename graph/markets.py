"""Every ISO 3166-1 country as a market, named in Kazakh, Russian and English by pycountry.

Open world: a market the source never mentions still exists, so a check on it answers
"unknown" rather than "no such market".
"""

from __future__ import annotations

import gettext

import pycountry
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SKOS

from graph.namespaces import AGK, MARKET, SCHEMA

SOURCE = "pycountry ISO 3166-1"


def _translator(lang: str) -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
    except OSError:
        return gettext.NullTranslations()


def market_graph() -> Graph:
    """Markets with alpha-2/alpha-3/numeric codes, short names as prefLabel, others as altLabel."""
    g = Graph()
    translators = {"kk": _translator("kk"), "ru": _translator("ru")}
    for country in pycountry.countries:
        node = MARKET[country.alpha_2]
        g.add((node, RDF.type, AGK.Market))
        g.add((node, RDF.type, SCHEMA.Country))
        g.add((node, AGK.iso3166Alpha2, Literal(country.alpha_2)))
        g.add((node, AGK.iso3166Alpha3, Literal(country.alpha_3)))
        g.add((node, AGK.iso3166Numeric, Literal(country.numeric)))
        english = getattr(country, "common_name", None) or country.name
        g.add((node, SKOS.prefLabel, Literal(english, lang="en")))
        names = {country.name, getattr(country, "official_name", None) or country.name}
        for name in names - {english}:
            g.add((node, SKOS.altLabel, Literal(name, lang="en")))
        for lang, tr in translators.items():
            short = tr.gettext(country.name)
            g.add((node, SKOS.prefLabel, Literal(short, lang=lang)))
            for name in names:
                other = tr.gettext(name)
                if other != short and other != name:
                    g.add((node, SKOS.altLabel, Literal(other, lang=lang)))
    return g
