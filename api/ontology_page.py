"""/ontology in a browser: the documentation of each class and property in kk, ru or en, made
at the first request for a build from that build's graph and the shapes, then kept."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response

from api.deps import LANGS, templates
from api.query_page import curie, link, page_language
from graph.answers.messages import LANGUAGE_NAMES, NAV, ONTOLOGY_PAGE, QUERY_PAGE
from graph.endpoint.ontology_docs import Term, document
from graph.endpoint.served_build import Served

_MADE: OrderedDict[tuple, dict[str, list[Term]]] = OrderedDict()
_KEEP = 4  # builds whose documentation is kept


def _documented(svc: Served) -> dict[str, list[Term]]:
    key = (svc.build or svc.settings.endpoint, str(svc.settings.ontology_dir))
    if key not in _MADE:
        _MADE[key] = document(svc.store, Path(svc.settings.ontology_dir) / "shapes.ttl")
        while len(_MADE) > _KEEP:
            _MADE.popitem(last=False)
    return _MADE[key]


def _ref(iri: str, labels: dict[str, dict[str, str]], lang: str) -> dict:
    """A reference to a term: its label in the page's language when it is ours, its short name,
    and where it is documented (our terms here, others where they live)."""
    href = "#" + iri.rsplit("#", 1)[1] if iri in labels else link(iri)  # ours: on this page
    return {"text": curie(iri), "label": labels.get(iri, {}).get(lang), "href": href}


def _view(term: Term, labels: dict[str, dict[str, str]], lang: str) -> dict:
    return {
        "id": term.name, "iri": term.iri, "curie": curie(term.iri),
        "label": term.labels.get(lang) or term.labels.get("en") or term.name,
        "labels": [(code, term.labels.get(code)) for code in LANGS],
        "definitions": [(code, term.definitions.get(code) or term.comments.get(code))
                        for code in LANGS],
        "supers": [_ref(i, labels, lang) for i in term.supers],
        "domains": [_ref(i, labels, lang) for i in term.domains],
        "ranges": [_ref(i, labels, lang) for i in term.ranges],
        "properties": [_ref(i, labels, lang) for i in term.properties],
        "shapes": _shapes(term, labels, lang),
    }


def _shapes(term: Term, labels: dict[str, dict[str, str]], lang: str) -> list[dict]:
    """The constraints on the term, grouped by the shape (and the class it applies to)."""
    groups: dict[tuple, dict] = {}
    for c in term.constraints:
        group = groups.setdefault((c.shape, c.target), {
            "shape": c.shape.rsplit("#", 1)[-1],
            "target": _ref(c.target, labels, lang) if c.target else None, "constraints": []})
        group["constraints"].append({
            "path": _ref(c.path, labels, lang), "count": c.count, "pattern": c.pattern,
            "allowed": [_ref(v, labels, lang) if "://" in v else {"text": v} for v in c.values],
            "message": c.message})
    return list(groups.values())


def _render(request: Request, svc: Served, lang: str) -> Response:
    by_kind = _documented(svc)
    labels = {t.iri: t.labels for kind in by_kind.values() for t in kind}
    words = {k: v[lang] for k, v in ONTOLOGY_PAGE.items()}
    params = dict(request.query_params)
    context = {
        "lang": lang, "words": words, "nav": {k: v[lang] for k, v in NAV.items()},
        "language_word": QUERY_PAGE["language"][lang], "language_names": LANGUAGE_NAMES,
        "switch": {code: "/ontology?" + urlencode(params | {"lang": code}) for code in LANGS},
        "sections": [(kind, words[heading], sorted((_view(t, labels, lang) for t in by_kind[kind]),
                                                     key=lambda v: v["label"].lower()))
                     for kind, heading in (("class", "classes"), ("object", "object_properties"),
                                           ("datatype", "datatype_properties"))],
    }
    return templates.TemplateResponse(request, "ontology.html", context)


def page(request: Request, svc: Served) -> Response:
    """The page (its first making for a build queries the store and parses the shapes; the
    route is a plain function, so FastAPI runs it off the event loop)."""
    return _render(request, svc, page_language(request))
