"""What a status means (may the product be supplied, is a negotiation pending, which colour it
is drawn in) is read from ontology/statuses.ttl through the store, never restated in code: an
edited build changes every answer, the page and the graph view alike."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Namespace, URIRef

from api.app import create_app
from graph import ONTOLOGY_DIR
from graph.answers.analytics import stats
from graph.answers.check import check
from graph.answers.statuses import colour_roles, meanings, palette, pending, permits
from graph.answers.views import render_filtered
from graph.build.builder import current_build
from graph.settings import Settings
from graph.store.backends import EmbeddedStore
from tests.helpers.builds import serve_copy

AGK = Namespace("https://w3id.org/agrikg/ontology#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
LIFTED = "https://w3id.org/agrikg/access-status/restriction-lifted"


def test_each_access_status_states_its_meaning_once_in_statuses_ttl() -> None:
    graph = Graph().parse(ONTOLOGY_DIR / "statuses.ttl")
    stated = {}
    for concept in graph.subjects(URIRef(str(SKOS.inScheme)),
                                  URIRef("https://w3id.org/agrikg/access-status")):
        values = [list(graph.objects(concept, URIRef(str(AGK[p]))))
                  for p in ("permitsSupply", "pending", "colourRole")]
        assert all(len(v) == 1 for v in values), concept
        stated[str(graph.value(concept, URIRef(str(SKOS.notation))))] = tuple(
            v[0].toPython() for v in values)
    assert stated == {"open": (True, False, "open"), "requirements-agreed": (True, False, "agreed"),
                      "requirements-planned": (False, True, "pending"),
                      "restriction-lifted": (True, False, "lifted"),
                      "restricted": (False, False, "restricted")}


def test_the_store_answers_what_statuses_ttl_states(store) -> None:
    assert {code: m.permits_supply for code, m in meanings(store).items()} == {
        "open": True, "requirements-agreed": True, "requirements-planned": False,
        "restriction-lifted": True, "restricted": False}
    assert pending(store) == {"requirements-planned"}
    assert pending(store, "https://w3id.org/agrikg/vet-status") == {"planned"}
    assert colour_roles(store)["restriction-lifted"] == "lifted"
    assert permits(store, "unknown") is None  # open world: no record is no reading


def test_every_colour_role_has_one_colour_in_the_one_palette() -> None:
    colours, css = palette()
    assert set(colours) == {"open", "agreed", "pending", "lifted", "restricted", "unknown"}
    for role in colours:
        assert re.search(rf"\.card\.role-{role} \{{ border-color: var\(--role-{role}\)", css), role
        assert re.search(rf"\.badge\.role-{role}\b[^{{]*\{{ background: var\(--role-{role}\)",
                         css), role


def record_colours(html: str) -> set[str]:
    """The colours the graph view draws its record arrows in (not the hierarchy's dashes)."""
    data = re.search(r'<script id="graph-data" type="application/json">(.*?)</script>', html, re.S)
    return {e["color"] for e in json.loads(data.group(1))["edges"] if not e.get("dashes")}


@pytest.fixture
def edited(settings: Settings, tmp_path: Path) -> Settings:
    """A copy of the built graph where statuses.ttl said restriction-lifted does not permit
    supply, means a pending negotiation and is drawn as `restricted`."""
    home = tmp_path / "home"
    store = ox.Store(str(serve_copy(current_build(settings), home) / "store"))
    concept = ox.NamedNode(LIFTED)
    for name, value in (("permitsSupply", ox.Literal(False)), ("pending", ox.Literal(True)),
                        ("colourRole", ox.Literal("restricted"))):
        predicate = ox.NamedNode(str(AGK[name]))
        for quad in list(store.quads_for_pattern(concept, predicate, None)):
            store.remove(quad)
            store.add(ox.Quad(concept, predicate, value, quad.graph_name))
    store.flush()
    del store
    return Settings(home=home, endpoint=None)


def test_an_edited_meaning_changes_the_answer_the_analytics_and_the_view(edited) -> None:
    store = EmbeddedStore(current_build(edited) / "store")
    answer = check(store, "beef", "AE")
    assert (answer["status"], answer["permitted"]) == ("restriction-lifted", False)
    assert any(p["market"] == "AE" and p["status"] == "restriction-lifted"
               for p in stats(store)["pending"])
    view = render_filtered(store, "en", market="AE")
    assert record_colours(view.html) == {palette()[0]["restricted"]}


def test_restriction_lifted_has_one_colour_on_the_card_and_in_the_graph(settings) -> None:
    with TestClient(create_app(Settings(home=settings.home, endpoint=None))) as client:
        page = client.get("/", params={"product": "beef", "market": "AE", "lang": "en"}).text
        view = client.get("/explore", params={"market": "AE", "lang": "en"}).text
        css = client.get("/assets/colours.css")
    assert css.status_code == 200 and css.text == palette()[1]
    assert 'class="card role-lifted status-restriction-lifted" data-status="restriction-lifted"' in page
    assert '/assets/colours.css' in page
    lifted = palette()[0]["lifted"]
    assert record_colours(view) == {lifted}, "every record to AE is restriction-lifted"
    assert f'<li class="status-lifted role-lifted"><span class="swatch" style="background: {lifted}">' \
        in view
