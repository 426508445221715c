"""Interactive graph views: pyvis lays out a networkx projection of the graph; the page is
written from our own template so that it is one self-contained file. vis-network is inlined
from the installed pyvis (no CDN, no Bootstrap, no lib/ folder), every text from the data is
shown as text (never parsed as HTML), and a large graph is cut to a readable size with a note
saying so."""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import networkx as nx
import pyvis
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pyvis.network import Network

from graph import PACKAGE_DIR
from graph.answers.check import ACCESS_SCHEME, VET_SCHEME, status_label, vocabulary
from graph.answers.dates import AsOf, parse_as_of
from graph.answers.messages import EXPLORE, HS, LANGUAGE_NAMES, NAV, as_of_phrase, count
from graph.answers.messages import words as words_in
from graph.answers.network import BROADER_EDGE, MARKET_KIND, RECORD_EDGE, Filters, projection
from graph.answers.resolve import market_index, product_index, resolve_market, resolve_product
from graph.answers.statuses import UNKNOWN_ROLE, access_roles, palette
from graph.errors import ResolveError
from graph.store.backends import Store, cached

MAX_NODES = 300
# The one colour of each colour role (graph/static/colours.css, the page's palette too); which
# role a status has is agk:colourRole in statuses.ttl (statuses.access_roles).
ROLE_COLOURS = palette()[0]
# vis-network settles a 300-node graph fast with these (bench/explore.py): the layout comes
# from the server (positions()), no Kamada-Kawai pre-layout, straight edges (no support node
# per edge), a few stabilisation iterations to tidy, then physics off.
LAYOUT_OPTIONS = {
    "layout": {"improvedLayout": False, "randomSeed": 7},
    "edges": {"smooth": False, "color": {"inherit": True}},
    "physics": {"solver": "barnesHut", "barnesHut": {
        "gravitationalConstant": -6000, "centralGravity": 0.3, "springLength": 140,
        "springConstant": 0.001, "damping": 0.09, "avoidOverlap": 0},
        "stabilization": {"iterations": 15, "updateInterval": 15, "fit": True},
        "minVelocity": 2},
    "interaction": {"keyboard": {"enabled": True, "bindToWindow": False}, "navigationButtons": False,
                    "tooltipDelay": 150},
}
_ENV = Environment(loader=FileSystemLoader(str(PACKAGE_DIR / "templates")),
                   autoescape=select_autoescape(["html"]))


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """vis-network's script and stylesheet from the installed pyvis, with the URL strings in
    its licence comments and messages written without their scheme: nothing in the page
    points outside it."""
    lib = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
    script = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    script = script.replace('"http://www.w3.org/2000/svg"', '"http:/"+"/www.w3.org/2000/svg"')
    script = re.sub(r"https?://", "", script)
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    return script.replace("</script", "<\\/script"), re.sub(r"https?://", "", css)


def _tooltip(lines: list[str]) -> str:
    return "\n".join(line for line in lines if line)


def _cut(graph: nx.MultiDiGraph, limit: int) -> nx.MultiDiGraph:
    """At most `limit` nodes: the markets with the most records first, each with its products
    (the most widely reached first), then the broader products of those kept, while room is
    left."""
    def records(node: str) -> int:
        return sum(1 for *_e, d in graph.edges(node, data=True) if d["kind"] == RECORD_EDGE)

    markets = sorted((n for n, d in graph.nodes(data=True) if d["kind"] == MARKET_KIND),
                     key=lambda m: (-graph.in_degree(m), m))
    keep: list[str] = []
    for market in markets:
        if len(keep) >= limit:
            break
        keep.append(market)
        products = sorted({u for u, _ in graph.in_edges(market)}, key=lambda p: (-records(p), p))
        keep += [p for p in products if p not in keep][: max(limit - len(keep), 0)]
    for product in list(keep):
        parents = [v for _, v, d in graph.out_edges(product, data=True)
                   if d["kind"] == BROADER_EDGE]
        keep += [p for p in parents if p not in keep][: max(limit - len(keep), 0)]
    return graph.subgraph(keep).copy()


def _seed_positions(graph: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """A start near the answer: markets on a circle, each product beside the markets it has
    records in (groups beside their members), spread by a stable hash. Physics then only
    tidies, so a 300-node graph settles in a few iterations."""
    markets = sorted(n for n, d in graph.nodes(data=True) if d["kind"] == MARKET_KIND)
    radius = 120 + 90 * len(markets)
    pos: dict[str, tuple[float, float]] = {}
    for i, market in enumerate(markets):
        angle = 2 * math.pi * i / max(len(markets), 1)
        pos[market] = (radius * math.cos(angle), radius * math.sin(angle))

    def jitter(node: str, spread: float) -> tuple[float, float]:
        h = int(hashlib.sha1(node.encode()).hexdigest()[:8], 16)
        angle, r = (h % 3600) / 3600 * 2 * math.pi, spread * (0.35 + (h >> 12) % 100 / 150)
        return r * math.cos(angle), r * math.sin(angle)

    def near(node: str, others: list[str], spread: float) -> None:
        placed = [pos[o] for o in others if o in pos]
        cx = sum(p[0] for p in placed) / len(placed) if placed else 0.0
        cy = sum(p[1] for p in placed) / len(placed) if placed else 0.0
        dx, dy = jitter(node, spread)
        pos[node] = (cx * 0.8 + dx, cy * 0.8 + dy)

    products = [n for n, d in graph.nodes(data=True) if d["kind"] != MARKET_KIND]
    for node in products:
        linked = [v for _, v, d in graph.out_edges(node, data=True) if d["kind"] == RECORD_EDGE]
        if linked:
            near(node, linked, 110 + 12 * math.sqrt(len(products)))
    for _ in range(3):  # groups without records of their own sit by their members
        for node in products:
            if node not in pos:
                members = [u for u, _, d in graph.in_edges(node, data=True)
                           if d["kind"] == BROADER_EDGE and u in pos]
                if members or _ == 2:
                    near(node, members, 90 + 10 * math.sqrt(len(products)))
    return pos


def colour_role(data: dict) -> str:
    """The colour role of a record edge (its status's agk:colourRole, set by the projection)."""
    return data.get("colour_role") or UNKNOWN_ROLE


def _as_of(words: dict[str, str], value: str | None, lang: str) -> str:
    if not value:
        return ""
    phrase = as_of_phrase(value, None, lang)
    return f"{phrase} {words['as_of'].lower()}" if lang == "kk" else f"{words['as_of']}: {phrase}"


def network(graph: nx.MultiDiGraph, lang: str,
            labels: dict[str, dict[str, str]] | None = None) -> Network:
    """The pyvis network: markets as boxes, products as dots sized by reach, records as
    arrows coloured by their status's colour role, the hierarchy as grey dashes. Every
    tooltip is in words of the page language (status and veterinary labels, no codes)."""
    words = words_in(lang, EXPLORE)
    labels = labels or {}
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    colours: dict[str, object] = {}
    for node, data in graph.nodes(data=True):
        if data["kind"] == MARKET_KIND:
            net.add_node(node, label=data["label"], shape="box",
                         font={"color": "#ffffff", "size": 18},
                         title=_tooltip([f"{words['market']}: {data['label']} ({data['id']})"]))
            colours[node] = {"background": "#24292f", "border": "#24292f"}
        else:
            reach = sum(1 for _, _, d in graph.out_edges(node, data=True)
                        if d["kind"] == RECORD_EDGE)
            codes = ", ".join(data.get("hs_codes", []))
            net.add_node(node, label=data["label"], shape="dot", size=10 + 5 * reach,
                         font={"size": 15},
                         title=_tooltip([f"{words['product']}: {data['label']}",
                                         f"{HS[lang]}: {codes}" if codes else ""]))
            colours[node] = "#d0d7de" if not reach else "#8c959f"
    for source, target, data in graph.edges(data=True):
        if data["kind"] == BROADER_EDGE:
            net.add_edge(source, target, color="#afb8c1", dashes=True, arrows="to",
                         title=f"{graph.nodes[source]['label']} {words['broader']} "
                               f"«{graph.nodes[target]['label']}»")
            continue
        status = data["status"]
        vet = data.get("vet_status")
        quote = data.get("quote") or ""
        net.add_edge(source, target, color=ROLE_COLOURS.get(colour_role(data), "#57606a"),
                     width=3, arrows="to", label="", title=_tooltip([
                         f"{graph.nodes[source]['label']} → {graph.nodes[target]['label']}",
                         f"{words['status']}: {labels.get('access', {}).get(status, status)}",
                         f"{words['vet']}: {labels.get('vet', {}).get(vet, vet)}" if vet else "",
                         _as_of(words, data.get("as_of"), lang),
                         f"{words['source']}: {data.get('speaker')}" if data.get("speaker") else "",
                         f"«{quote[:300]}{'…' if len(quote) > 300 else ''}»" if quote else ""]))
    # pyvis 0.3.2 drops add_node's `color`; set it on the node records it keeps, with the
    # layout computed here.
    layout = positions(graph)
    for record in net.nodes:
        record["color"] = colours[record["id"]]
        if record["id"] in layout:
            record["x"], record["y"] = layout[record["id"]]
    return net


def positions(graph: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """The layout, computed on the server (Fruchterman-Reingold from the seeded start, numpy):
    the browser only draws it and tidies for a few iterations, so a 300-node graph is stable
    about as soon as it is drawn, instead of after seconds of physics in the page."""
    if graph.number_of_nodes() == 0:
        return {}
    simple = nx.Graph(graph.to_undirected())
    seed = _seed_positions(graph)
    scale = 150 + 55 * math.sqrt(simple.number_of_nodes())
    start = {n: (x / scale, y / scale) for n, (x, y) in seed.items()}
    laid = nx.spring_layout(simple, pos=start, iterations=60, seed=7, scale=scale,
                            k=1.6 / math.sqrt(simple.number_of_nodes()))
    return {n: (round(float(x), 1), round(float(y), 1)) for n, (x, y) in laid.items()}


@dataclass(frozen=True)
class View:
    html: str
    nodes: int
    edges: int
    total_nodes: int


def _rows(graph: nx.MultiDiGraph, lang: str, labels: dict[str, dict[str, str]]) -> list[dict]:
    """The records drawn, as the table beside (and, without JavaScript, instead of) the graph."""
    rows = []
    for source, target, data in graph.edges(data=True):
        if data["kind"] != RECORD_EDGE:
            continue
        vet = data.get("vet_status")
        rows.append({"product": graph.nodes[source]["label"], "product_id": graph.nodes[source]["id"],
                     "market": graph.nodes[target]["label"], "market_id": graph.nodes[target]["id"],
                     "status": labels.get("access", {}).get(data["status"], data["status"]),
                     "role": colour_role(data),
                     "vet": labels.get("vet", {}).get(vet, vet) if vet else "",
                     "as_of": as_of_phrase(data["as_of"], None, lang) if data.get("as_of") else "",
                     "speaker": data.get("speaker") or ""})
    return sorted(rows, key=lambda r: (r["market"], r["product"]))


def render(store: Store, lang: str = "en", filters: Filters | None = None,
           limit: int = MAX_NODES, status_labels: dict[str, str] | None = None,
           vet_labels: dict[str, str] | None = None, exporter: str = "KZ",
           as_of: AsOf | None = None, form: dict | None = None,
           empty: dict[str, str] | None = None, error: dict | None = None) -> View:
    """The page of the graph on the asked date (today by default): the records that answer
    then, by the check's rule; its legend, its counts, the records as a table; `form` (the
    route's filters, lists and language links) adds the filter form and the switch."""
    at = as_of or parse_as_of(None)
    graph = projection(store, lang, filters, exporter=exporter, at=at.day) if error is None \
        else nx.MultiDiGraph()
    total = graph.number_of_nodes()
    if total > limit:
        graph = _cut(graph, limit)
    status_labels = status_labels or {code: status_label(store, code, lang) for code in access_roles(store)}
    labels = {"access": status_labels, "vet": vet_labels or {}}
    net = network(graph, lang, labels)
    nodes, edges, _heading, _height, _width, _options = net.get_network_data()
    script, css = vis_assets()
    words = words_in(lang, EXPLORE, NAV)
    note = words["cut"].format(total=count(total, "node", lang),
                               shown=count(graph.number_of_nodes(), "node", lang)) \
        if total > limit else ""
    rows = _rows(graph, lang, labels)
    kinds = [d["kind"] for _, d in graph.nodes(data=True)]
    summary = words["summary"].format(
        markets=count(kinds.count(MARKET_KIND), "market", lang),
        products=count(len(kinds) - kinds.count(MARKET_KIND), "product", lang),
        records=count(len(rows), "record", lang))
    data = json.dumps({"nodes": nodes, "edges": edges, "options": LAYOUT_OPTIONS},
                      ensure_ascii=False).replace("</", "<\\/")
    known = access_roles(store)
    roles = {code: known.get(code, UNKNOWN_ROLE) for code in (status_labels or known)}
    html = _ENV.get_template("view.html").render(
        lang=lang, words=words, vis_script=script, vis_css=css, role_css=palette()[1],
        data=data, note=note,
        empty=empty or ({"text": words["empty"]} if total == 0 and not error else None),
        error=error,
        node_count=len(nodes), edge_count=len(edges), rows=rows, summary=summary, hs=HS[lang],
        counts=f"{count(len(nodes), 'node', lang)} · {count(len(edges), 'link', lang)}",
        legend=[(role, ROLE_COLOURS[role], (status_labels or {}).get(code, code))
                for code, role in roles.items()], form=form, languages=LANGUAGE_NAMES)
    return View(html, len(nodes), len(edges), total)


def render_filtered(store: Store, lang: str = "en", market: str | None = None,
                    product: str | None = None, status: str | None = None,
                    limit: int = MAX_NODES, exporter: str = "KZ",
                    as_of: str | AsOf | None = None, form: dict | None = None) -> View:
    """A view from what a user typed: names or codes resolved as the check resolves them, on
    the asked date (YYYY, YYYY-MM or YYYY-MM-DD; BadDate otherwise). When nothing matches, the
    page says which filter left it empty."""
    at = as_of if isinstance(as_of, AsOf) else parse_as_of(as_of)
    filters = Filters(
        market=resolve_market(store, market, lang).iri if market else None,
        product=resolve_product(store, product, lang).iri if product else None,
        status=_status(store, status) if status else None)
    labels = {code: status_label(store, code, lang) for code in access_roles(store)}
    vet = {code: v.get(lang, code) for code, v in vocabulary(store).get(VET_SCHEME, {}).items()}
    if filters == Filters() and as_of is None:
        # The whole graph today, the heaviest view and the first one opened: made once per
        # build (and per day, since "today" moves).
        return cached(store, f"explore-view:{lang}:{limit}:{form is not None}:{exporter}:{at.day}",
                      lambda: render(store, lang, filters, limit, labels, vet, exporter, at, form))
    empty = _why_empty(store, lang, filters, labels, exporter, at)
    return render(store, lang, filters, limit, labels, vet, exporter, at, form, empty)


def _records(store: Store, lang: str, filters: Filters, exporter: str, at: AsOf) -> int:
    return sum(1 for *_e, d in projection(store, lang, filters, exporter=exporter,
                                          at=at.day).edges(data=True)
               if d["kind"] == RECORD_EDGE)


def _why_empty(store: Store, lang: str, filters: Filters, labels: dict[str, str],
               exporter: str, at: AsOf) -> dict[str, str] | None:
    """The message for filters that match no record on the date, naming the filter that
    empties it (or saying that only their combination does)."""
    active = {k: v for k, v in vars(filters).items() if v}
    if not active or _records(store, lang, filters, exporter, at):
        return None
    words = words_in(lang, EXPLORE)
    markets, products = market_index(store), product_index(store)

    def named(key: str, value: str) -> str:
        shown = {"market": lambda: markets.label(value, lang),
                 "product": lambda: products.label(value, lang),
                 "status": lambda: labels.get(value, value)}[key]()
        return f"{words[key]}: {shown}"

    alone = [k for k, v in active.items()
             if not _records(store, lang, Filters(**{k: v}), exporter, at)]
    if alone:
        shown = named(alone[0], active[alone[0]])
        return {"text": words["empty_because"].format(filter=shown), "drop": alone[0],
                "drop_text": words["without"].format(filter=shown)}
    return {"text": words["empty_together"].format(
        filters="; ".join(named(k, v) for k, v in active.items())), "drop": "", "drop_text": ""}


def _status(store: Store, status: str) -> str:
    known = vocabulary(store).get(ACCESS_SCHEME, {})
    if status not in known:
        raise ResolveError("status", status, sorted(known))
    return status
