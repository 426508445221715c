"""The graph's namespaces (graph/namespaces.py) as rdflib terms, for the write side, which
makes rdflib graphs: the read side keeps them as plain strings and never loads rdflib."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

from graph import namespaces as plain

AGK = Namespace(plain.AGK)
SCHEMA = Namespace(plain.SCHEMA)
WD = Namespace(plain.WD)
PRODUCT = Namespace(plain.PRODUCT)
MARKET = Namespace(plain.MARKET)
RECORD = Namespace(plain.RECORD)
MEASURE = Namespace(plain.MEASURE)
STATEMENT = Namespace(plain.STATEMENT)
DOCUMENT = Namespace(plain.DOCUMENT)
EVENT = Namespace(plain.EVENT)
AGENT = Namespace(plain.AGENT)
ROLE = Namespace(plain.ROLE)
INFERENCE = Namespace(plain.INFERENCE)
INDICATOR = Namespace(plain.INDICATOR)
PROGRAMME = Namespace(plain.PROGRAMME)
DURATION = Namespace(plain.DURATION)
ACCESS_STATUS = Namespace(plain.ACCESS_STATUS)
VET_STATUS = Namespace(plain.VET_STATUS)

__all__ = [
           "ACCESS_STATUS",
           "AGENT",
           "AGK",
           "DCTERMS",
           "DOCUMENT",
           "DURATION",
           "EVENT",
           "FOAF",
           "INDICATOR",
           "INFERENCE",
           "MARKET",
           "MEASURE",
           "OWL",
           "PRODUCT",
           "PROGRAMME",
           "PROV",
           "RDF",
           "RDFS",
           "RECORD",
           "ROLE",
           "SCHEMA",
           "SKOS",
           "STATEMENT",
           "TIME",
           "VET_STATUS",
           "WD",
           "XSD",
]
