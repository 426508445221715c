"""The one persistent namespace the graph mints IRIs in, and the vocabularies it reuses."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

BASE = "https://w3id.org/agrikg/"

AGK = Namespace(BASE + "ontology#")
SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")

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
