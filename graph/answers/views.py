"""Interactive graph views: pyvis lays out a networkx projection of the graph; the page is
written from our own template so that it is one self-contained file. vis-network is inlined
from the installed pyvis (no CDN, no Bootstrap, no lib/ folder), every text from the data is
shown as text (never parsed as HTML), and a large graph is cut to a readable size with a note
saying so."""

from __future__ import annotations

import json
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
from graph.answers.messages import words as words_in
from graph.answers.network import BROADER_EDGE, MARKET_KIND, RECORD_EDGE, Filters, projection
from graph.answers.resolve import resolve_market, resolve_product
from graph.errors import ResolveError
from graph.store.backends import Store

MAX_NODES = 300
STATUS_COLOURS = {
    "open": "#1a7f37", "requirements-agreed": "#2da44e", "restriction-lifted": "#0969da",
    "requirements-planned": "#bf8700", "restricted": "#cf222e",
}
WORDS = {
    "title": {"en": "Market access graph", "ru": "Граф доступа на рынки",
              "kk": "Нарыққа қол жеткізу графы"},
    "market": {"en": "Market", "ru": "Рынок", "kk": "Нарық"},
    "product": {"en": "Product", "ru": "Продукция", "kk": "Өнім"},
    "broader": {"en": "is part of a broader group", "ru": "входит в более широкую группу",
                "kk": "кеңірек топтың құрамына кіреді"},
    "status": {"en": "Status", "ru": "Статус", "kk": "Мәртебе"},
    "hs": {"en": "HS", "ru": "Код ГС (6 знаков ТН ВЭД)", "kk": "HS коды (СЭҚ ТН 6 таңбасы)"},
    "cut": {"en": "The graph has {total} nodes; {shown} are drawn. Filter by market, product "
                  "or status to see the rest.",
            "ru": "Всего узлов в графе: {total}; показано: {shown}. Отфильтруйте по рынку, "
                  "продукции или статусу, чтобы увидеть остальные.",
            "kk": "Графта {total} түйін бар; {shown} көрсетілді. Қалғанын көру үшін нарық, "
                  "өнім немесе мәртебе бойынша сүзіңіз."},
    "empty": {"en": "Nothing to draw for these filters.", "ru": "Для этих фильтров нечего "
              "показать.", "kk": "Бұл сүзгілер бойынша көрсететін ештеңе жоқ."},
    "legend": {"en": "Legend", "ru": "Условные обозначения", "kk": "Шартты белгілер"},
    # Label style ("Узлы: 5"), so that no noun has to agree with a number.
    "counts": {"en": "Nodes: {nodes} · links: {edges}", "ru": "Узлы: {nodes} · связи: {edges}",
               "kk": "Түйіндер: {nodes} · байланыстар: {edges}"},
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


def network(graph: nx.MultiDiGraph, lang: str,
            labels: dict[str, dict[str, str]] | None = None) -> Network:
    """The pyvis network: markets as boxes, products as dots sized by reach, records as
    arrows coloured by status, the hierarchy as grey dashes."""
    words = words_in(lang, WORDS)
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
                                         f"{words['hs']} {codes}" if codes else ""]))
            colours[node] = "#d0d7de" if not reach else "#8c959f"
    for source, target, data in graph.edges(data=True):
        if data["kind"] == BROADER_EDGE:
            net.add_edge(source, target, color="#afb8c1", dashes=True, arrows="to",
                         title=words["broader"])
            continue
        status = data["status"]
        vet = data.get("vet_status")
        quote = data.get("quote") or ""
        net.add_edge(source, target, color=STATUS_COLOURS.get(status, "#57606a"), width=3,
                     arrows="to", label="", title=_tooltip([
                         f"{graph.nodes[source]['label']} → {graph.nodes[target]['label']}",
                         f"{words['status']}: {labels.get('access', {}).get(status, status)}",
                         f"{words['vet']}: {labels.get('vet', {}).get(vet, vet)}" if vet else "",
                         f"{words['as_of']}: {data['as_of']}" if data.get("as_of") else "",
                         f"{words['source']}: {data.get('speaker') or ''}",
                         f"«{quote[:300]}{'…' if len(quote) > 300 else ''}»" if quote else ""]))
    # pyvis 0.3.2 drops add_node's `color`; set it on the node records it keeps.
    for record in net.nodes:
        record["color"] = colours[record["id"]]
    net.barnes_hut(gravity=-6000, central_gravity=0.3, spring_length=140)
    return net


@dataclass(frozen=True)
class View:
    html: str
    nodes: int
    edges: int
    total_nodes: int


def render(store: Store, lang: str = "en", filters: Filters | None = None,
           limit: int = MAX_NODES, status_labels: dict[str, str] | None = None,
           vet_labels: dict[str, str] | None = None, exporter: str = "KZ",
           as_of: AsOf | None = None) -> View:
    """The page of the graph on the asked date (today by default): the records that answer
    then, by the check's rule."""
    at = as_of or parse_as_of(None)
    graph = projection(store, lang, filters, exporter=exporter, at=at.day)
    total = graph.number_of_nodes()
    if total > limit:
        graph = _cut(graph, limit)
    net = network(graph, lang, {"access": status_labels or {}, "vet": vet_labels or {}})
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    options_dict = json.loads(options)
    options_dict.setdefault("physics", {})["stabilization"] = {"iterations": 300}
    script, css = vis_assets()
    words = words_in(lang, WORDS)
    note = words["cut"].format(total=total, shown=graph.number_of_nodes()) if total > limit \
        else (words["empty"] if total == 0 else "")
    data = json.dumps({"nodes": nodes, "edges": edges, "options": options_dict},
                      ensure_ascii=False).replace("</", "<\\/")
    html = _ENV.get_template("view.html").render(
        lang=lang, words=words, vis_script=script, vis_css=css, data=data, note=note,
        node_count=len(nodes), edge_count=len(edges),
        counts=words["counts"].format(nodes=len(nodes), edges=len(edges)),
        legend=[(code, colour, (status_labels or {}).get(code, code))
                for code, colour in STATUS_COLOURS.items()])
    return View(html, len(nodes), len(edges), total)


def render_filtered(store: Store, lang: str = "en", market: str | None = None,
                    product: str | None = None, status: str | None = None,
                    limit: int = MAX_NODES, exporter: str = "KZ",
                    as_of: str | AsOf | None = None) -> View:
    """A view from what a user typed: names or codes resolved as the check resolves them, on
    the asked date (YYYY, YYYY-MM or YYYY-MM-DD; BadDate otherwise)."""
    at = as_of if isinstance(as_of, AsOf) else parse_as_of(as_of)
    filters = Filters(
        market=resolve_market(store, market, lang).iri if market else None,
        product=resolve_product(store, product, lang).iri if product else None,
        status=_status(store, status) if status else None)
    labels = {code: status_label(store, code, lang) for code in STATUS_COLOURS}
    vet = {code: v.get(lang, code) for code, v in vocabulary(store).get(VET_SCHEME, {}).items()}
    return render(store, lang, filters, limit, labels, vet, exporter, at)


def _status(store: Store, status: str) -> str:
    known = vocabulary(store).get(ACCESS_SCHEME, {})
    if status not in known:
        raise ResolveError("status", status, sorted(known))
    return status
