"""The benchmark generator: the same seed gives the same bytes, the size asked for, a graph the
build's own checks accept, and access answers that follow from the generated records."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph

from graph.answers.check import check
from graph.build.generator import generate, write
from graph.build.validation import check_hs_codes, check_shapes, load_shapes
from graph.store.backends import EmbeddedStore
from tests.helpers.env import clean_env

SMALL = 10_000
PREFIXES = """PREFIX agk:  <https://w3id.org/agrikg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
MARKET = "https://w3id.org/agrikg/market/"
PRODUCT = "https://w3id.org/agrikg/product/"


@pytest.fixture(scope="module")
def small() -> str:
    return "".join(generate(SMALL))


@pytest.fixture(scope="module")
def store(small: str, tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    """The generated graph bulk-loaded as a build loads it, then opened read-only like one."""
    path = tmp_path_factory.mktemp("generated")
    (path / "graph.nt").write_text(small, encoding="utf-8")
    loading = pyoxigraph.Store(str(path / "store"))
    loading.bulk_load(path=str(path / "graph.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    loading.flush()
    del loading
    return EmbeddedStore(path / "store")


def _select(store: EmbeddedStore, body: str) -> list[dict[str, str]]:
    return store.select(PREFIXES + body)


def _code(product: str) -> str:
    """hs-020421 -> 0204.21, hs-0204 -> 0204: what a user types."""
    code = product.removeprefix(PRODUCT + "hs-")
    return f"{code[:4]}.{code[4:]}" if len(code) == 6 else code


def _expected(store: EmbeddedStore, product: str, market: str) -> tuple[str, str | None, str | None]:
    """(status, record, via) from the records themselves: the product's own latest record,
    else the latest on the nearest broader product, else unknown."""
    node: str | None = product
    while node:
        rows = _select(store, f"""
            SELECT ?record ?status WHERE {{
              ?record agk:product <{node}> ; agk:market <{market}> ;
                      agk:accessStatus/skos:notation ?status ; agk:asOf ?asOf }}
            ORDER BY DESC(STR(?asOf)) DESC(?record) LIMIT 1""")
        if rows:
            return rows[0]["status"], rows[0]["record"], None if node == product else node
        parents = _select(store, f"SELECT ?b WHERE {{ <{node}> skos:broader ?b }}")
        node = parents[0]["b"] if parents else None
    return "unknown", None, None


def _assert_answer(store: EmbeddedStore, product: str, market: str) -> dict:
    status, record, via = _expected(store, product, market)
    answer = check(store, _code(product), market.removeprefix(MARKET))
    assert answer["product"]["iri"] == product
    assert (answer["status"], answer["record"]) == (status, record)
    assert (answer["via"] or {}).get("iri") == via
    return answer


def test_same_seed_same_bytes_other_seed_other_bytes(small: str) -> None:
    assert "".join(generate(SMALL, seed=42)) == small
    assert "".join(generate(SMALL, seed=7)) != small


@pytest.mark.parametrize("triples", [10_000, 100_000])
def test_size_is_within_five_percent_without_duplicates(triples: int) -> None:
    lines = list(generate(triples))
    assert abs(len(lines) - triples) <= 0.05 * triples
    assert len(set(lines)) == len(lines), "every line is a distinct triple, so the count is exact"
    assert all(line.endswith(" .\n") for line in lines)


@pytest.mark.build
def test_output_parses_and_passes_the_builds_checks(small: str) -> None:
    assert sum(1 for _ in pyoxigraph.parse(small.encode(), format=pyoxigraph.RdfFormat.N_TRIPLES)) \
        == small.count("\n")
    graph = Graph().parse(data=small, format="nt")
    assert check_hs_codes(graph, {}) == []
    assert check_shapes(graph, load_shapes(), {}) == []


def test_has_the_shape_of_the_real_graph(store: EmbeddedStore) -> None:
    [counts] = _select(store, """
        SELECT (COUNT(DISTINCT ?market) AS ?markets) (COUNT(DISTINCT ?product) AS ?products)
               (COUNT(DISTINCT ?chapter) AS ?chapters) WHERE {
          { ?market a agk:Market } UNION { ?product a agk:Product }
          UNION { ?chapter a agk:Product ; skos:topConceptOf <https://w3id.org/agrikg/product> } }""")
    assert int(counts["markets"]) >= 249, "every ISO 3166-1 country, as the build adds them"
    assert int(counts["products"]) > 100 and int(counts["chapters"]) >= 2
    levels = {row["digits"]: int(row["n"]) for row in _select(store, """
        SELECT ?digits (COUNT(?record) AS ?n) WHERE {
          ?record a agk:AccessRecord ; agk:product/skos:notation ?code
          BIND(STR(STRLEN(STR(?code))) AS ?digits) } GROUP BY ?digits""")}
    assert levels["6"] > levels.get("4", 0) > 0, "mostly subheadings, some groups"
    statuses = {row["status"]: int(row["n"]) for row in _select(store, """
        SELECT ?status (COUNT(?record) AS ?n) WHERE {
          ?record agk:accessStatus/skos:notation ?status } GROUP BY ?status""")}
    assert set(statuses) == {"open", "requirements-agreed", "requirements-planned",
                             "restriction-lifted", "restricted"}
    permitted = statuses["open"] + statuses["requirements-agreed"] + statuses["restriction-lifted"]
    assert permitted > 2 * (statuses["requirements-planned"] + statuses["restricted"])
    assert max(statuses, key=statuses.__getitem__) == "open"
    [history] = _select(store, """
        SELECT (COUNT(*) AS ?pairs) WHERE {
          { SELECT ?m ?p (COUNT(?r) AS ?k) WHERE { ?r agk:market ?m ; agk:product ?p } GROUP BY ?m ?p }
          FILTER(?k > 1) }""")
    assert int(history["pairs"]) > 10, "several records per pair over the years"
    precisions = {row["p"] for row in _select(store, "SELECT DISTINCT ?p WHERE { ?r agk:datePrecision ?p }")}
    assert precisions == {"year", "day"}
    assert store.ask(PREFIXES + """ASK {
        ?record agk:source ?st . ?st agk:quote ?q ; prov:wasGeneratedBy ?meeting ;
            prov:hadPrimarySource ?document ;
            prov:qualifiedAttribution [ prov:agent ?agent ; prov:hadRole ?role ] .
        FILTER(lang(?q) = "kk") }""")


def test_check_answers_a_pair_from_its_latest_record(store: EmbeddedStore) -> None:
    [pair] = _select(store, """
        SELECT ?product ?market WHERE {
          ?r1 agk:product ?product ; agk:market ?market . ?r2 agk:product ?product ; agk:market ?market .
          ?product skos:broader/skos:broader ?chapter .
          FILTER(?r1 != ?r2) } ORDER BY ?market ?product LIMIT 1""")
    answer = _assert_answer(store, pair["product"], pair["market"])
    assert answer["via"] is None and answer["sources"][0]["quote_kk"]


def test_check_inherits_from_a_group_record(store: EmbeddedStore) -> None:
    [pair] = _select(store, """
        SELECT ?product ?market WHERE {
          ?record agk:product ?group ; agk:market ?market . ?product skos:broader ?group .
          FILTER NOT EXISTS { ?own agk:product ?product ; agk:market ?market } }
        ORDER BY ?market ?product LIMIT 1""")
    answer = _assert_answer(store, pair["product"], pair["market"])
    assert answer["via"] is not None and "inherited" in answer["message"]


def test_check_0204_21_in_china_and_an_untouched_market(store: EmbeddedStore) -> None:
    _assert_answer(store, PRODUCT + "hs-020421", MARKET + "CN")
    [quiet] = _select(store, """
        SELECT ?market WHERE { ?market a agk:Market FILTER NOT EXISTS { ?r agk:market ?market } }
        ORDER BY ?market LIMIT 1""")
    answer = _assert_answer(store, PRODUCT + "hs-0101", quiet["market"])
    assert answer["status"] == "unknown" and answer["permitted"] is None


def test_another_hs_file_gives_only_its_products(tmp_path: Path) -> None:
    hs = tmp_path / "hs.csv"
    hs.write_text("section,hscode,description,parent,level\n"
                  "I,01,Animals; live,TOTAL,2\n"
                  'I,0104,"Sheep and goats; live",01,4\n'
                  "I,010410,Sheep; live,0104,6\n"
                  "TOTAL,TOTAL,Total of all HS2022 commodities,TOTAL,5\n", encoding="utf-8")
    lines = list(generate(SMALL, seed=1, hs_file=hs))
    products = {line.split()[2] for line in lines
                if line.split()[1] == "<https://w3id.org/agrikg/ontology#product>"}
    assert products
    assert products <= {f"<{PRODUCT}hs-{code}>" for code in ("01", "0104", "010410")}
    assert abs(len(lines) - SMALL) <= 0.05 * SMALL
    assert len(set(lines)) == len(lines), "pairs revisited in later rounds get new record IRIs"


def test_write_streams_to_a_file_and_reports_progress(tmp_path: Path, small: str) -> None:
    seen: list[int] = []
    written = write(tmp_path / "g.nt", SMALL, progress=seen.append, chunk=1_000)
    assert written == small.count("\n") == seen[-1] and len(seen) > 5
    assert (tmp_path / "g.nt").read_text(encoding="utf-8") == small
    assert not list(tmp_path.glob("*.partial"))


def test_cli_generate(tmp_path: Path, small: str) -> None:
    agrikg = str(Path(sys.executable).parent / "agrikg")
    env = clean_env() | {"NO_COLOR": "1"}
    result = subprocess.run([agrikg, "generate", "--triples", "1e4", "-o", str(tmp_path / "g.nt")],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"Wrote {small.count(chr(10)):,} triples" in result.stdout
    assert (tmp_path / "g.nt").read_text(encoding="utf-8") == small
    bad = subprocess.run([agrikg, "generate", "--triples", "lots", "-o", str(tmp_path / "x.nt")],
                         capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 2 and "--triples" in bad.stderr
    assert not (tmp_path / "x.nt").exists()
