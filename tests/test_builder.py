"""The build refuses bad data with the record, file, line and rule, and never loses the graph
being served: a failed or interrupted build leaves the current one in place."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from graph import DATA_DIR
from graph.answers.check import check
from graph.build.builder import INFO_FILE, build, current_build
from graph.build.terms import MEASURE, RECORD
from graph.errors import BuildError
from graph.settings import Settings
from graph.store.backends import EmbeddedStore
from tests.conftest import history_data
from tests.helpers.builds import edit as _edit
from tests.helpers.builds import line_of as _line_of


@pytest.fixture
def workspace(tmp_path: Path) -> Settings:
    """A private copy of graph/data/ and a home with one good build already served."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    settings = Settings(home=tmp_path / "home", data_dir=data, endpoint=None)
    build(settings)
    return settings


def _fails(settings: Settings) -> list:
    before = current_build(settings)
    with pytest.raises(BuildError) as caught:
        build(settings)
    assert current_build(settings) == before, "a failed build must not replace the served one"
    assert not list((settings.home / "builds").glob("*.partial"))
    answer = check(EmbeddedStore(before / "store"), "wheat", "CN")
    assert answer["status"] == "open", "the previous graph still answers"
    return caught.value.problems


@pytest.mark.parametrize(("old", "new", "record", "rule", "words"), [
    ("kz-cn-wheat,KZ,CN,wheat,open", "kz-cn-wheat,KZ,,wheat,open", "kz-cn-wheat",
     "agk:market", "exactly one market"),
    ("kz-cn-wheat,KZ,CN,wheat,open", "kz-cn-wheat,KZ,XX,wheat,open", "kz-cn-wheat",
     "agk:market", "known country"),
    ("kz-cn-wheat,KZ,CN,wheat,open", "kz-cn-wheat,KZ,CN,wheet,open", "kz-cn-wheat",
     "agk:product", "products.csv"),
    ("kz-cn-wheat,KZ,CN,wheat,open", "kz-cn-wheat,KZ,CN,wheat,opened", "kz-cn-wheat",
     "agk:accessStatus", "requirements-agreed"),
    ("kz-cn-wheat,KZ,CN,wheat,open,,2018,year,china-market-open",
     "kz-cn-wheat,KZ,CN,wheat,open,,2018,year,", "kz-cn-wheat", "agk:source",
     "at least one source"),
    ("kz-cn-wheat,KZ,CN,wheat,open,,2018,year", "kz-cn-wheat,KZ,CN,wheat,open,,2018-13,month",
     "kz-cn-wheat", "typed date", "2018-13"),
])
def test_a_broken_record_fails_the_build_naming_record_file_line_and_rule(
        workspace, old, new, record, rule, words) -> None:
    access = workspace.data_dir / "access.csv"
    line = _line_of(access, old.split(",")[0] + ",")
    _edit(access, old, new)
    problems = _fails(workspace)
    mine = [p for p in problems if p.focus.endswith(f"/record/{record}")]
    assert mine, [str(p) for p in problems]
    problem = next(p for p in mine if rule in p.rule)
    assert problem.origin.path.endswith("access.csv")
    assert problem.origin.line == line
    assert words in problem.message
    assert f"access.csv:{line}" in str(BuildError(problems))


def test_a_missing_kazakh_label_fails_the_build(workspace) -> None:
    products = workspace.data_dir / "products.csv"
    line = _line_of(products, "honey,,0409,Бал,")
    _edit(products, "honey,,0409,Бал,", "honey,,0409,,")
    problems = _fails(workspace)
    problem = next(p for p in problems if p.focus.endswith("/product/honey") and "kk" in p.message)
    assert problem.origin.line == line
    assert "Kazakh" in problem.message


@pytest.mark.parametrize(("row", "words"), [("UK,,,,Britain", "not an ISO 3166-1 alpha-2 code"),
                                           ("RU,,,,Rossiya", "second row")])
def test_a_market_name_row_with_an_unknown_or_repeated_code_fails_the_build(workspace, row, words) -> None:
    markets = workspace.data_dir / "markets.csv"
    with markets.open("a", encoding="utf-8") as handle:
        handle.write(row + "\n")
    line = len(markets.read_text(encoding="utf-8").splitlines())
    problems = _fails(workspace)
    problem = next(p for p in problems if p.rule == "market code")
    assert (problem.origin.path.endswith("markets.csv"), problem.origin.line) == (True, line)
    assert words in problem.message


@pytest.mark.parametrize(("code", "words"), [("0499", "does not exist in HS 2022"),
                                            ("04.09", "2, 4 or 6 digits")])
def test_an_hs_code_outside_hs_2022_or_its_pattern_fails_the_build(workspace, code, words) -> None:
    _edit(workspace.data_dir / "products.csv", "honey,,0409,", f"honey,,{code},")
    problems = _fails(workspace)
    assert any(p.focus.endswith("/product/honey") and words in p.message for p in problems)


def test_a_statement_without_its_kazakh_quote_fails_the_build(workspace) -> None:
    sources = workspace.data_dir / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    start = text.index("    quote_kk: >-\n      Биыл тірі ірі қара")
    end = text.index("    translation:", start)
    sources.write_text(text[:start] + text[end:], encoding="utf-8")
    problems = _fails(workspace)
    assert any(p.focus.endswith("/statement/iran-cattle-planned") and "quote" in p.message
               and p.origin.path.endswith("sources.yaml") for p in problems)


@pytest.mark.parametrize(("old", "new", "focus", "words"), [
    # a reading referenced from a product must be defined, like one from a record
    ("hs=alfalfa-forage\n", "hs=alfalfa-fodder\n", "/product/alfalfa", "alfalfa-fodder"),
    ("hs=alfalfa-forage\n", "forage=alfalfa-forage\n", "/product/alfalfa", "FIELD=REASON"),
])
def test_a_products_reading_that_is_not_defined_fails_the_build(workspace, old, new, focus,
                                                                words) -> None:
    products = workspace.data_dir / "products.csv"
    line = _line_of(products, "alfalfa,forage,")
    _edit(products, old, new)
    problems = _fails(workspace)
    problem = next(p for p in problems if p.focus.endswith(focus))
    assert problem.origin.line == line and words in problem.message


def test_an_inference_citing_a_statement_that_does_not_exist_fails_the_build(workspace) -> None:
    _edit(workspace.data_dir / "sources.yaml", "    sources: [china-market-open, china-exports-growth]",
          "    sources: [china-market-open, china-exports-grwoth]")
    problems = _fails(workspace)
    assert any(p.focus.endswith("/inference/exporter-from-context")
               and "sources.yaml" in p.message for p in problems), [str(p) for p in problems]


def test_malformed_yaml_fails_with_its_line(workspace) -> None:
    sources = workspace.data_dir / "sources.yaml"
    _edit(sources, "statements:\n", "statements:\n  - id: [unclosed\n")
    problems = _fails(workspace)
    assert problems[0].rule == "YAML syntax"
    assert problems[0].origin.line > 0


def test_a_build_interrupted_after_validation_leaves_the_served_graph(workspace, monkeypatch) -> None:
    import pyoxigraph

    def crash(*_args, **_kwargs):
        raise KeyboardInterrupt("killed while loading")

    before = current_build(workspace)
    monkeypatch.setattr(pyoxigraph.Store, "bulk_load", crash)
    with pytest.raises(KeyboardInterrupt):
        build(workspace)
    assert current_build(workspace) == before
    assert not list((workspace.home / "builds").glob("*.partial"))


def test_a_good_build_swaps_in_and_old_builds_are_pruned(workspace) -> None:
    first = current_build(workspace)
    for _ in range(workspace.keep_builds + 1):
        build(workspace)
    assert current_build(workspace) != first
    kept = [p for p in (workspace.home / "builds").iterdir() if p.is_dir()]
    assert len(kept) == workspace.keep_builds
    assert {p.name for p in current_build(workspace).iterdir()} >= {
        "store", "graph.nt", "graph.ttl", "graph.jsonld", "build.json"}


def test_a_killed_builds_leftovers_are_removed_by_the_next_build(workspace) -> None:
    builds = workspace.home / "builds"
    dead = builds / "20200101T000000000000Z-999999999.partial"  # no such process
    dead.mkdir()
    (dead / "graph.nt").write_text("half a file", encoding="utf-8")
    build(workspace)
    assert not dead.exists()


# -- agrikg build --from FILE: a large generated graph, validated on the store -------------------

STATUS = "https://w3id.org/agrikg/ontology#accessStatus"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated graph of about 10^4 triples (`agrikg generate --triples 10000`)."""
    from graph.build.generator import write

    path = tmp_path_factory.mktemp("generated") / "g4.nt"
    write(path, 10_000, seed=7)
    return path


def _a_record(path: Path) -> tuple[int, str, str]:
    """(line, record IRI, its status line) of the first access record's status in the file."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.split(" ")[1:2] == [f"<{STATUS}>"]:
            return number, line.split(" ", 1)[0].strip("<>"), line
    raise AssertionError("no access record in the generated file")


def _fails_from(settings: Settings, source: Path) -> list:
    before = current_build(settings)
    with pytest.raises(BuildError) as caught:
        build(settings, source=source)
    assert current_build(settings) == before, "a failed build must not replace the served one"
    assert not list((settings.home / "builds").glob("*.partial"))
    assert check(EmbeddedStore(before / "store"), "wheat", "CN")["status"] == "open"
    return caught.value.problems


def test_a_generated_file_builds_and_the_served_store_answers(tmp_path, generated) -> None:
    import json

    import pyoxigraph

    settings = Settings(home=tmp_path / "home", endpoint=None)
    messages: list[str] = []
    result = build(settings, progress=messages.append, source=generated)
    served = current_build(settings)
    assert served == result.path
    assert any("validating" in m for m in messages) and any("writing" in m for m in messages)
    info = json.loads((served / "build.json").read_text(encoding="utf-8"))
    assert info["source"] == str(generated.resolve())
    assert set(info["phases"]) == {"load", "validate", "index", "dumps"}
    # The VoID count is the store's size; the ontology's blank nodes are not doubled.
    store = pyoxigraph.Store.read_only(str(served / "store"))
    [row] = store.query("SELECT ?n WHERE { <https://w3id.org/agrikg/dataset> "
                        "<http://rdfs.org/ns/void#triples> ?n }")
    assert int(row["n"].value) == len(store) == info["triples"] == result.triples
    lines = generated.read_text(encoding="utf-8").count("\n")
    assert len(store) == lines + 4, "the file's copy of the ontology is merged, not duplicated"
    for name in ("graph.nt", "graph.ttl", "graph.jsonld"):
        dump = pyoxigraph.Store()
        dump.load(path=str(served / name))
        assert len(dump) == len(store), name
    del store
    # The served store answers a check about a generated record.
    embedded = EmbeddedStore(served / "store")
    [row] = embedded.select(
        "PREFIX agk: <https://w3id.org/agrikg/ontology#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?code ?market WHERE { ?r a agk:AccessRecord ; agk:product/skos:notation ?code ;"
        " agk:market/agk:iso3166Alpha2 ?market } ORDER BY ?r LIMIT 1")
    answer = check(embedded, row["code"], row["market"])
    assert answer["market"]["code"] == row["market"]
    assert answer["status"] != "unknown", answer


def test_a_record_with_two_statuses_in_a_file_fails_naming_file_line_and_rule(
        workspace, generated, tmp_path) -> None:
    _, record, status = _a_record(generated)
    broken = tmp_path / "broken.nt"
    other = "open" if not status.rstrip(" .\n").endswith("open>") else "restricted"
    broken.write_text(generated.read_text(encoding="utf-8") + status.rsplit("/", 1)[0]
                      + f"/{other}> .\n", encoding="utf-8")
    problems = _fails_from(workspace, broken)
    [problem] = [p for p in problems if p.focus == record]
    assert problem.rule == "AccessRecordShape / agk:accessStatus"
    assert "exactly one access status" in problem.message
    assert str(problem.origin) == f"{broken}:{_first_subject_line(broken, record)}"


def _first_subject_line(path: Path, iri: str) -> int:
    return _line_of(path, f"<{iri}> ")


def test_a_malformed_line_fails_with_its_line_number(workspace, generated, tmp_path) -> None:
    text = generated.read_text(encoding="utf-8").splitlines(keepends=True)
    text[41] = "<https://w3id.org/agrikg/x> <https://w3id.org/agrikg/p> oops .\n"
    broken = tmp_path / "malformed.nt"
    broken.write_text("".join(text), encoding="utf-8")
    [problem] = _fails_from(workspace, broken)
    assert problem.origin.path == str(broken) and problem.origin.line == 42
    assert problem.rule == "N-Triples syntax"
    assert "line 42" in problem.message


def test_an_hs_code_outside_hs_2022_in_a_file_fails(workspace, generated, tmp_path) -> None:
    text = generated.read_text(encoding="utf-8")
    code = '"0201"^^<https://w3id.org/agrikg/ontology#HSCode>'
    assert code in text
    broken = tmp_path / "hs.nt"
    broken.write_text(text.replace(code, code.replace("0201", "0299"), 1), encoding="utf-8")
    problems = _fails_from(workspace, broken)
    assert any(p.rule == "HS 2022 code" and "0299" in p.message
               and p.origin.path == str(broken) and p.origin.line > 0 for p in problems)


@pytest.mark.parametrize(("name", "words"), [("graph.csv", "extension"), ("missing.nt", "no such"),
                                             ("graph.nq", "named graphs")])
def test_a_file_that_cannot_be_built_is_one_clear_problem(workspace, tmp_path, name, words) -> None:
    if name != "missing.nt":
        (tmp_path / name).write_text("", encoding="utf-8")
    [problem] = _fails_from(workspace, tmp_path / name)
    assert words in problem.message


def test_a_build_from_a_file_interrupted_leaves_the_served_graph(
        workspace, generated, monkeypatch) -> None:
    import pyoxigraph

    def crash(*_args, **_kwargs):
        raise KeyboardInterrupt("killed while optimizing")

    before = current_build(workspace)
    monkeypatch.setattr(pyoxigraph.Store, "optimize", crash)
    with pytest.raises(KeyboardInterrupt):
        build(workspace, source=generated)
    assert current_build(workspace) == before
    assert not list((workspace.home / "builds").glob("*.partial"))


# Reading graph/data/ as an analyst's editor and spreadsheet write it: a byte-order mark is
# accepted; bytes that are not UTF-8 and rows pasted twice fail with file, line and rule.
BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize("name", ["products.csv", "markets.csv", "access.csv", "sources.yaml",
                                  "programme.yaml"])
def test_a_byte_order_mark_is_accepted(workspace, name) -> None:
    path = workspace.data_dir / name
    path.write_bytes(BOM + path.read_bytes())
    build(workspace)
    store = EmbeddedStore(current_build(workspace) / "store")
    answer = check(store, "wheat", "CN")
    assert answer["status"] == "open" and answer["sources"], name


@pytest.mark.parametrize(("name", "fragment"), [
    ("products.csv", "honey,,0409,"), ("access.csv", "kz-cn-wheat,"),
    ("sources.yaml", "  - id: china-market-open"), ("markets.csv", "IR,Q794,"),
])
def test_bytes_that_are_not_utf8_fail_with_file_line_column_and_rule(workspace, name,
                                                                     fragment) -> None:
    path = workspace.data_dir / name
    line = _line_of(path, fragment)
    lines = path.read_bytes().split(b"\n")
    lines[line - 1] = lines[line - 1].replace(b",", b",\xe9", 1) if b"," in lines[line - 1] \
        else lines[line - 1] + b" \xe9"
    path.write_bytes(b"\n".join(lines))
    problems = _fails(workspace)
    [problem] = [p for p in problems if p.origin and p.origin.path.endswith(name)]
    assert problem.rule == "UTF-8 encoding"
    assert problem.origin.line == line
    assert "0xE9" in problem.message and "column" in problem.message
    assert f"{name}:{line}" in str(problem)
    assert not any(p.rule == "data shape" for p in problems)


@pytest.mark.parametrize(("name", "fragment"), [
    ("products.csv", "honey,,0409,"), ("access.csv", "kz-cn-wheat,"), ("markets.csv", "IR,Q794,"),
])
def test_a_row_pasted_twice_fails_naming_both_lines(workspace, name, fragment) -> None:
    path = workspace.data_dir / name
    first = _line_of(path, fragment)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.append(lines[first - 1])
    path.write_text("".join(lines), encoding="utf-8")
    problems = _fails(workspace)
    [problem] = [p for p in problems if p.rule == "duplicate row"]
    assert problem.origin.path.endswith(name) and problem.origin.line == len(lines)
    assert f"{name}:{first}" in problem.message
    assert f"{name}:{len(lines)}" in str(problem)


def test_a_record_id_used_twice_names_both_lines(workspace) -> None:
    path = workspace.data_dir / "access.csv"
    first = _line_of(path, "kz-cn-wheat,")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.append(lines[first - 1].replace(",open,", ",restricted,"))
    path.write_text("".join(lines), encoding="utf-8")
    problems = _fails(workspace)
    [problem] = [p for p in problems if p.rule == "unique record id"]
    assert problem.origin.line == len(lines)
    assert f"access.csv:{first}" in problem.message


def test_a_yaml_entry_missing_a_field_fails_at_its_line_without_a_flood(workspace) -> None:
    sources = workspace.data_dir / "sources.yaml"
    line = _line_of(sources, "  - id: china-market-open")
    _edit(sources, "  - id: china-market-open\n", "  - ident: china-market-open\n")
    problems = _fails(workspace)
    assert len(problems) == 1, [str(p) for p in problems]
    [problem] = problems
    assert (problem.origin.line, problem.rule) == (line, "data shape")
    assert "the statement lacks the required field 'id'" in problem.message
    assert f"sources.yaml:{line}" in str(problem)


@pytest.mark.parametrize(("old", "new", "words"), [
    ("kz-cn-wheat,KZ,CN,wheat,", "kz-cn-wheat x,KZ,CN,wheat,", "'record/kz-cn-wheat x'"),
    ("kz-cn-wheat,KZ,CN,wheat,", 'kz-cn-wheat,KZ,CN,wh"eat,', "'product/wh\"eat'"),
    ("kz-cn-wheat,KZ,CN,wheat,", "kz-cn-wheat,KZ,C<N>,wheat,", "'market/C<N>'"),
])
def test_an_id_that_cannot_be_part_of_an_iri_fails_at_its_line(workspace, old, new,
                                                              words) -> None:
    access = workspace.data_dir / "access.csv"
    line = _line_of(access, old)
    _edit(access, old, new)
    problems = _fails(workspace)
    [problem] = [p for p in problems if p.rule == "identifier"]
    assert problem.origin.path.endswith("access.csv") and problem.origin.line == line
    assert words in problem.message and "letters, digits" in problem.message


def test_a_yaml_entry_pasted_twice_fails_naming_both_lines(workspace) -> None:
    sources = workspace.data_dir / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    start = text.index("  - id: china-market-open\n")
    end = text.index("\n  - id: ", start + 1) + 1
    sources.write_text(text[:end] + text[start:end] + text[end:], encoding="utf-8")
    first = _line_of(sources, "  - id: china-market-open")
    second = first + text[start:end].count("\n")
    problems = _fails(workspace)
    [problem] = [p for p in problems if p.rule == "unique id"]
    assert problem.origin.line == second
    assert f"sources.yaml:{first}" in problem.message and "used twice" in problem.message


# The dated sources of issue 12: every quote is checked against its document's excerpt; build.json
# keeps a digest of each record and measure so that the next build can say what changed.

@pytest.fixture
def history_workspace(tmp_path: Path) -> Settings:
    """graph/data/ plus tests/data/history/, built and served once."""
    settings = Settings(home=tmp_path / "home", data_dir=history_data(tmp_path / "data"),
                        endpoint=None)
    build(settings)
    return settings


def test_a_changed_quote_fails_the_build_at_its_statement_and_the_served_build_stays(
        history_workspace) -> None:
    source = history_workspace.data_dir / "sources" / "test-history-ru-2024-02.yaml"
    line = _line_of(source, "- id: test-jp-lifted-2024")
    _edit(source, "из Казахстана в Японию сняты", "из Казахстана в Японию отменены")
    served = current_build(history_workspace)
    problems = _fails(history_workspace)
    [problem] = problems
    assert problem.rule == "verbatim quote"
    assert f"test-history-ru-2024-02.yaml:{line}" in str(BuildError(problems))
    assert "documents/test-history-ru-2024-02.txt" in problem.message
    [row] = EmbeddedStore(served / "store").select(
        "SELECT ?q WHERE { <https://w3id.org/agrikg/statement/test-jp-lifted-2024> "
        "<https://w3id.org/agrikg/ontology#quote> ?q }")
    quote = row["q"]
    assert "в Японию сняты" in str(quote), "the served graph keeps the verbatim quote"


def test_build_json_holds_a_digest_per_record_and_measure_that_follows_their_content(
        history_workspace) -> None:
    def info() -> dict:
        return json.loads((current_build(history_workspace) / INFO_FILE).read_text("utf-8"))

    before = info()
    lifted, ban = str(RECORD["kz-jp-beef-2024-02"]), str(MEASURE["kz-ban-test-honey-2023-03-01"])
    assert {str(RECORD["kz-jp-beef-2022"]), lifted, str(RECORD["kz-cn-wheat"])} <= set(before["records"])
    assert ban in before["measures"]
    assert all(re.fullmatch(r"[0-9a-f]{16}", d)
               for kind in ("records", "measures") for d in before[kind].values())
    records = history_workspace.data_dir / "records" / "test-history.csv"
    _edit(records, "restriction-lifted,,2024-02,month", "open,,2024-02,month")
    _edit(history_workspace.data_dir / "measures.csv", "2023-05-31,day", "2023-06-30,day")
    build(history_workspace)
    after = info()
    changed = {k for kind in ("records", "measures") for k in after[kind]
               if after[kind][k] != before[kind].get(k)}
    assert changed == {lifted, ban}


def test_a_build_records_what_changed_since_the_build_it_replaces(history_workspace) -> None:
    """Built again with one record changed, one added and one removed, and one measure changed:
    build.json's `diff` says which, against the build it replaced; `agrikg info`
    (graph.store.builds.diff_summary) counts them; a build of unchanged data changes nothing."""
    from graph.store.builds import build_info, diff_summary

    data = history_workspace.data_dir
    records = data / "records" / "test-history.csv"
    lines = records.read_text(encoding="utf-8").splitlines(keepends=True)
    [gone] = [line for line in lines if line.startswith("kz-jp-beef-2022,")]
    added = gone.replace("kz-jp-beef-2022,", "kz-jp-beef-2021,", 1).replace(",2022,year,", ",2021,year,", 1)
    records.write_text("".join(added if line is gone else line for line in lines), encoding="utf-8")
    _edit(records, "restriction-lifted,,2024-02,month", "open,,2024-02,month")
    _edit(data / "measures.csv", "2023-05-31,day", "2023-06-30,day")
    replaced = current_build(history_workspace)
    build(history_workspace)
    info = build_info(history_workspace)
    before = json.loads((replaced / INFO_FILE).read_text(encoding="utf-8"))
    assert info["diff"]["previous"] == {"build": replaced.name, "built_at": before["built_at"]}
    assert info["diff"]["records"] == {"added": [str(RECORD["kz-jp-beef-2021"])],
                                       "changed": [str(RECORD["kz-jp-beef-2024-02"])],
                                       "removed": [str(RECORD["kz-jp-beef-2022"])]}
    assert info["diff"]["measures"] == {
        "added": [], "changed": [str(MEASURE["kz-ban-test-honey-2023-03-01"])], "removed": []}
    shown = diff_summary(info["diff"])
    assert shown["records"]["added"] == {"count": 1, "first": ["kz-jp-beef-2021"]}
    assert shown["measures"]["changed"] == {"count": 1, "first": ["kz-ban-test-honey-2023-03-01"]}
    build(history_workspace)  # nothing edited: nothing changed
    again = build_info(history_workspace)["diff"]
    assert again["records"] == again["measures"] == {"added": [], "changed": [], "removed": []}
