"""Serving the store: the served build and its query workers, the SPARQL policy (what a query
may do, decided on a parse), content negotiation and result writers, linked-data pages."""
