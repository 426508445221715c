"""The one persistent namespace the graph mints IRIs in, and the vocabularies it reuses.

Plain strings: the read side (the API, the check) names terms without loading rdflib, which
only the build needs (graph/build/terms.py gives the same namespaces as rdflib terms)."""

from __future__ import annotations


class Namespace(str):
    """An IRI prefix whose terms are `NS.name` or `NS["name"]`, as plain strings."""

    __slots__ = ()

    def __getitem__(self, name: object) -> str:  # type: ignore[override]
        return str(self) + str(name)

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        return str(self) + name


BASE = "https://w3id.org/agrikg/"

AGK = Namespace(BASE + "ontology#")
SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
PROV = Namespace("http://www.w3.org/ns/prov#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
TIME = Namespace("http://www.w3.org/2006/time#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

PRODUCT = Namespace(BASE + "product/")
MARKET = Namespace(BASE + "market/")
RECORD = Namespace(BASE + "record/")
MEASURE = Namespace(BASE + "measure/")  # the exporter's own measures (export bans, quotas)
STATEMENT = Namespace(BASE + "statement/")
DOCUMENT = Namespace(BASE + "document/")
EVENT = Namespace(BASE + "event/")
AGENT = Namespace(BASE + "agent/")
ROLE = Namespace(BASE + "role/")
INFERENCE = Namespace(BASE + "inference/")
INDICATOR = Namespace(BASE + "indicator/")
PROGRAMME = Namespace(BASE + "programme/")
# A length of time as an OWL-Time duration (number and unit), one IRI per length: P9M is
# duration/P9M. An xsd:duration literal does not survive every engine (Virtuoso keeps "9").
DURATION = Namespace(BASE + "duration/")
ACCESS_STATUS = Namespace(BASE + "access-status/")
VET_STATUS = Namespace(BASE + "vet-status/")

PRODUCT_SCHEME = PRODUCT[""].rstrip("/")  # https://w3id.org/agrikg/product
DATASET = BASE + "dataset"

LANGUAGES = ("kk", "ru", "en")

PREFIXES = {
    "agk": AGK,
    "product": PRODUCT,
    "market": MARKET,
    "record": RECORD,
    "measure": MEASURE,
    "statement": STATEMENT,
    "document": DOCUMENT,
    "event": EVENT,
    "agent": AGENT,
    "role": ROLE,
    "inference": INFERENCE,
    "indicator": INDICATOR,
    "programme": PROGRAMME,
    "duration": DURATION,
    "status": ACCESS_STATUS,
    "vet": VET_STATUS,
    "skos": SKOS,
    "prov": PROV,
    "dcterms": DCTERMS,
    "schema": SCHEMA,
    "time": TIME,
    "foaf": FOAF,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "wd": WD,
}
