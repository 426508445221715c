"""graph/build/curated_files.py: the dated sources, records and measures load as the contract
says (per-document source files, records/*.csv, measures.csv), the computed values are right
(report dates, supersedes), every quote is checked against its excerpt, and every problem
names its file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from graph import DATA_DIR
from graph.build.curated_files import history_digests, load_curated, period_end, period_start
from graph.build.terms import AGK, DOCUMENT, MARKET, MEASURE, PRODUCT, RECORD, SCHEMA, STATEMENT
from graph.errors import BuildError
from tests.conftest import history_data
from tests.helpers.builds import edit as _edit
from tests.helpers.builds import line_of as _line_of

LIFTED = RECORD["kz-jp-beef-2024-02"]
IMPOSED = RECORD["kz-jp-beef-2022"]
BAN = MEASURE["kz-ban-test-honey-2023-03-01"]
QUOTA = MEASURE["kz-quota-test-beef-2023"]


@pytest.fixture(scope="module")
def curated(tmp_path_factory: pytest.TempPathFactory):
    return load_curated(history_data(tmp_path_factory.mktemp("curated") / "data"))


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """An editable copy of graph/data/ plus the history test files."""
    return history_data(tmp_path / "data")


def _problems(data: Path) -> list:
    with pytest.raises(BuildError) as caught:
        load_curated(data)
    return caught.value.problems


def _one(problems: list, rule: str) -> object:
    found = [p for p in problems if p.rule == rule]
    assert len(found) == 1, [str(p) for p in problems]
    return found[0]


def test_a_per_document_source_file_loads_its_document_and_statements(curated) -> None:
    g = curated.graph
    doc = DOCUMENT["test-history-ru-2024-02"]
    assert (doc, SCHEMA.url, URIRef("https://example.org/test-history-ru-2024-02")) in g
    assert (doc, DCTERMS.publisher, Literal("Test publisher")) in g
    assert (doc, DCTERMS.language, Literal("ru")) in g
    assert (doc, DCTERMS.issued, Literal("2024-02-06", datatype=XSD.date)) in g
    assert {label.language for label in g.objects(doc, RDFS.label)} == {"kk", "ru", "en"}
    statement = STATEMENT["test-jp-lifted-2024"]
    quote = g.value(statement, AGK.quote)
    assert quote.language == "ru" and quote.startswith("В феврале 2024 года")
    assert {t.language for t in g.objects(statement, AGK.translation)} == {"en", "kk"}
    assert (statement, URIRef("http://www.w3.org/ns/prov#hadPrimarySource"), doc) in g
    english = g.value(STATEMENT["test-en-jp-restricted-2022"], AGK.quote)
    assert english.language == "en"


def test_records_of_records_csv_and_access_csv_load_side_by_side(curated) -> None:
    g = curated.graph
    assert (IMPOSED, AGK.asOf, Literal("2022", datatype=XSD.gYear)) in g
    assert (LIFTED, AGK.asOf, Literal("2024-02", datatype=XSD.gYearMonth)) in g
    assert (LIFTED, AGK.datePrecision, Literal("month")) in g
    assert set(g.objects(IMPOSED, AGK.source)) == {STATEMENT["test-jp-restricted-2022"],
                                                   STATEMENT["test-en-jp-restricted-2022"]}
    assert g.value(IMPOSED, SKOS.note).startswith("Test record")
    # access.csv in its first column names (as_of, as_of_precision, statement) still loads
    wheat = RECORD["kz-cn-wheat"]
    assert (wheat, AGK.asOf, Literal("2018", datatype=XSD.gYear)) in g
    assert g.value(wheat, AGK.source) == STATEMENT["china-market-open"]


def test_access_csv_in_the_new_column_names_loads_the_same(data: Path) -> None:
    access = data / "access.csv"
    _edit(access, "as_of,as_of_precision,statement,inferred",
          "effective,effective_precision,statements,inferred")
    g = load_curated(data).graph
    assert (RECORD["kz-cn-wheat"], AGK.asOf, Literal("2018", datatype=XSD.gYear)) in g


def test_the_report_date_is_the_earliest_document_among_the_sources(curated) -> None:
    g = curated.graph
    # cited from a 2024-02-06 report and a 2022-05 report: the earlier, with its precision
    assert g.value(IMPOSED, AGK.reportDate) == Literal("2022-05", datatype=XSD.gYearMonth)
    assert g.value(IMPOSED, AGK.reportDatePrecision) == Literal("month")
    assert g.value(LIFTED, AGK.reportDate) == Literal("2024-02-06", datatype=XSD.date)
    # the first report, undated, carries the inferred year of its meeting
    assert g.value(RECORD["kz-cn-wheat"], AGK.reportDate) == Literal("2018", datatype=XSD.gYear)


def test_a_later_record_of_a_pair_supersedes_the_earlier_and_both_stay(curated) -> None:
    g = curated.graph
    assert set(g.objects(LIFTED, AGK.supersedes)) == {IMPOSED}
    assert not set(g.objects(IMPOSED, AGK.supersedes))
    assert (IMPOSED, RDF.type, AGK.AccessRecord) in g
    # another market's record of the same product is not superseded
    assert (LIFTED, AGK.supersedes, RECORD["kz-cn-beef"]) not in g


def test_records_with_the_same_start_do_not_supersede_each_other(data: Path) -> None:
    records = data / "records" / "test-history.csv"
    with records.open("a", encoding="utf-8") as handle:
        handle.write("kz-jp-beef-2024-02-2,KZ,JP,beef,restricted,,2024-02-01,day,"
                     "test-jp-lifted-2024,,same start as kz-jp-beef-2024-02\n")
        handle.write("kz-jp-beef-2025,KZ,JP,beef,open,,2025,year,test-jp-lifted-2024,,\n")
    g = load_curated(data).graph
    same = RECORD["kz-jp-beef-2024-02-2"]
    assert (same, AGK.supersedes, LIFTED) not in g and (LIFTED, AGK.supersedes, same) not in g
    assert set(g.objects(same, AGK.supersedes)) == {IMPOSED}
    assert set(g.objects(RECORD["kz-jp-beef-2025"], AGK.supersedes)) == {IMPOSED, LIFTED, same}


def test_export_measures_load_with_products_markets_dates_and_quantities(curated) -> None:
    g = curated.graph
    assert {(BAN, RDF.type, AGK.ExportBan), (BAN, RDF.type, AGK.ExportMeasure)} <= set(g)
    assert set(g.objects(BAN, AGK.coversProduct)) == {PRODUCT["honey"]}
    assert set(g.objects(BAN, AGK.coversMarket)) == {MARKET["JP"]}
    assert g.value(BAN, AGK.allMarkets) is None
    assert g.value(BAN, AGK.startDate) == Literal("2023-03-01", datatype=XSD.date)
    assert g.value(BAN, AGK.endDate) == Literal("2023-05-31", datatype=XSD.date)
    assert g.value(BAN, AGK.quantity) is None
    assert (QUOTA, RDF.type, AGK.ExportQuota) in g
    assert g.value(QUOTA, AGK.allMarkets) == Literal(True)
    assert g.value(QUOTA, AGK.quantity) == Literal("1000", datatype=XSD.decimal)
    assert str(g.value(QUOTA, AGK.unit)) == "t"
    assert g.value(QUOTA, AGK.source) == STATEMENT["test-kz-beef-quota-2023"]
    labels = {label.language: str(label) for label in g.objects(BAN, RDFS.label)}
    assert labels == {"en": "Export ban: Honey", "ru": "Запрет на экспорт продукции «Мёд»",
                      "kk": "«Бал» өнімін экспорттауға тыйым"}


def test_a_measure_on_the_eaeu_covers_its_members_other_than_the_exporter(data: Path) -> None:
    _edit(data / "measures.csv", "honey,JP,", "honey,EAEU,")
    g = load_curated(data).graph
    assert set(g.objects(BAN, AGK.coversMarket)) == {MARKET[c] for c in ("AM", "BY", "KG", "RU")}


def test_period_bounds_follow_the_precision() -> None:
    assert str(period_start("2024", "year")) == "2024-01-01"
    assert str(period_start("2024-02", "month")) == "2024-02-01"
    assert str(period_end("2024-02", "month")) == "2024-02-29"
    assert str(period_end("2023", "year")) == "2023-12-31"


# --------------------------------------------------------------------------- quotes


def test_a_changed_quote_in_a_source_file_fails_at_its_statement_line(data: Path) -> None:
    source = data / "sources" / "test-history-ru-2024-02.yaml"
    line = _line_of(source, "- id: test-jp-lifted-2024")
    _edit(source, "ограничения на ввоз говядины из Казахстана в Японию сняты",
          "ограничения на ввоз говядины из Казахстана в Японию отменены")
    problem = _one(_problems(data), "verbatim quote")
    assert problem.focus == str(STATEMENT["test-jp-lifted-2024"])
    assert (problem.origin.path.endswith("sources/test-history-ru-2024-02.yaml"),
            problem.origin.line) == (True, line)
    assert "documents/test-history-ru-2024-02.txt" in problem.message
    assert "Японию сняты" not in problem.message and "отменены" in problem.message


def test_a_changed_kazakh_quote_in_sources_yaml_fails_at_its_statement_line(data: Path) -> None:
    sources = data / "sources.yaml"
    line = _line_of(sources, "- id: iran-cattle-planned")
    _edit(sources, "малға қойылатын талаптарды келісу жоспарланып отыр.",
          "малдарға қойылатын талаптарды келісу жоспарланып отыр.")
    problem = _one(_problems(data), "verbatim quote")
    assert problem.focus == str(STATEMENT["iran-cattle-planned"])
    assert (problem.origin.path.endswith("sources.yaml"), problem.origin.line) == (True, line)


def test_a_quote_differing_only_in_whitespace_matches(data: Path) -> None:
    source = data / "sources" / "test-history-ru-2024-02.yaml"
    _edit(source, "В 2022 году Япония ввела", "В   2022\u00a0году\n      Япония ввела")
    load_curated(data)  # the excerpt breaks this quote over two lines too


def test_a_missing_excerpt_file_fails_at_the_document_line(data: Path) -> None:
    (data / "documents" / "test-history-en-2022-05.txt").unlink()
    source = data / "sources" / "test-history-en-2022-05.yaml"
    problem = _one(_problems(data), "document file")
    assert problem.focus == str(DOCUMENT["test-history-en-2022-05"])
    assert (problem.origin.path.endswith("test-history-en-2022-05.yaml"), problem.origin.line) \
        == (True, _line_of(source, "id: test-history-en-2022-05"))
    assert "does not exist" in problem.message


# --------------------------------------------------------------------------- file and line


@pytest.mark.parametrize(("file", "old", "new", "rule", "words"), [
    ("records/test-history.csv", "test-jp-lifted-2024,,", "test-jp-lifted-2042,,",
     "statement cited", "'test-jp-lifted-2042' is not defined"),
    ("records/test-history.csv", "2024-02,month", "2024-02,day", "typed date", "not a valid day"),
    ("records/test-history.csv", "2024-02,month", ",month", "effective date", "no effective date"),
    ("records/test-history.csv", "2022,year,", "2022,decade,", "date precision", "decade"),
    ("records/test-history.csv", ",effective=test-effective-report-year,",
     ",effective=no-such-reason,", "inferred", "'no-such-reason' is not defined"),
    ("measures.csv", "2023-05-31,day", "2023-02-28,day", "measure period", "before the start"),
    ("measures.csv", "1000,t,", ",t,", "measure quantity", "quantity and its unit"),
    ("measures.csv", "1000,t,", "a thousand,t,", "measure quantity", "not a number"),
    ("measures.csv", "kz-ban-test-honey-2023-03-01,KZ,ban", "kz-ban-test-honey-2023-03-01,KZ,embargo",
     "measure kind", "'embargo'"),
    ("measures.csv", "honey,JP,", "honey,ALL JP,", "measure markets", "ALL, or market codes"),
    ("measures.csv", "2023-03-01,day,", "2023-03-32,day,", "typed date", "2023-03-32"),
])
def test_a_broken_row_is_a_problem_at_its_file_and_line(data: Path, file, old, new, rule,
                                                         words) -> None:
    path = data / file
    line = _line_of(path, old)
    _edit(path, old, new)
    problem = _one(_problems(data), rule)
    assert problem.origin.path.endswith(file) and problem.origin.line == line, str(problem)
    assert words in problem.message
    assert f"{file}:{line}" in str(problem)


@pytest.mark.parametrize("period", ["P1Y6M", "9 months", "P0M", "PT5H"])
def test_a_period_that_is_not_one_number_and_unit_is_a_problem_at_its_indicator(
        data: Path, period: str) -> None:
    """An indicator's period becomes an OWL-Time duration (a number and a unit); what cannot
    be one says which forms are accepted."""
    path = data / "sources.yaml"
    line = _line_of(path, "  - id: china-agri-exports-growth-9-months")
    _edit(path, "    period: P9M", f"    period: {period}")
    problem = _one(_problems(data), "duration")
    assert problem.origin.path.endswith("sources.yaml") and problem.origin.line == line
    assert repr(period) in problem.message and "PnM" in problem.message


@pytest.mark.parametrize(("old", "new", "rule", "words"), [
    ("      kk: 2024 жылғы ақпанда", "      de: 2024 жылғы ақпанда", "translations",
     "exactly en and kk"),
    ("  language: ru\n", "  language: de\n", "document language", "'de'"),
    ("  published: \"2024-02-06\"\n", "  published: \"2024-02-30\"\n", "typed date", "2024-02-30"),
    ("  url: https://example.org/test-history-ru-2024-02\n", "  url: example.org/x y\n",
     "document URL", "not an http(s) URL"),
    ("  publisher: Test publisher\n", "", "data shape", "publisher"),
])
def test_a_broken_source_file_is_a_problem_at_its_line(data: Path, old, new, rule, words) -> None:
    source = data / "sources" / "test-history-ru-2024-02.yaml"
    text = source.read_text(encoding="utf-8")
    assert old in text
    source.write_text(text.replace(old, new, 1), encoding="utf-8")
    problems = [p for p in _problems(data) if p.rule == rule]
    assert problems, rule
    assert all(p.origin.path.endswith("test-history-ru-2024-02.yaml") and p.origin.line > 0
               for p in problems)
    assert any(words in p.message for p in problems), [p.message for p in problems]


def test_an_id_used_in_two_source_files_names_both(data: Path) -> None:
    source = data / "sources" / "test-history-en-2022-05.yaml"
    _edit(source, "- id: test-kz-beef-quota-2023", "- id: test-jp-lifted-2024")
    problem = next(p for p in _problems(data) if p.rule == "unique id")
    # the files are read in name order: the later one is the second use
    assert problem.origin.path.endswith("test-history-ru-2024-02.yaml")
    assert "test-history-en-2022-05.yaml:" in problem.message


def test_a_record_id_used_in_two_record_files_names_both(data: Path) -> None:
    shutil.copy(data / "records" / "test-history.csv", data / "records" / "copy.csv")
    problems = [p for p in _problems(data) if p.rule == "unique record id"]
    assert len(problems) == 2
    assert all(p.origin.path.endswith("records/test-history.csv") for p in problems)
    assert all("records/copy.csv:" in p.message for p in problems)


def test_a_product_id_given_two_rows_names_both(data: Path) -> None:
    products = data / "products.csv"
    first = _line_of(products, "honey,,0409,")
    lines = products.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.append(lines[first - 1].replace("0409", "040900", 1))
    products.write_text("".join(lines), encoding="utf-8")
    problem = _one(_problems(data), "unique product id")
    assert problem.origin.line == len(lines) and f"products.csv:{first}" in problem.message


def test_an_agent_defined_the_same_in_two_source_files_is_one_agent(data: Path) -> None:
    agent = ("agents:\n  - id: test-speaker\n    type: person\n    label:\n"
             "      kk: Сынақ\n      ru: Тест\n      en: Test\n")
    for name in ("test-history-ru-2024-02.yaml", "test-history-en-2022-05.yaml"):
        path = data / "sources" / name
        text = path.read_text(encoding="utf-8").replace("agents: []\n", "")
        path.write_text(text.replace("statements:\n", agent + "statements:\n", 1), encoding="utf-8")
    load_curated(data)
    path = data / "sources" / "test-history-en-2022-05.yaml"
    _edit(path, "      en: Test\n", "      en: Another\n")
    problem = _one(_problems(data), "unique id")
    assert "test-speaker" in problem.message


def test_a_statement_with_a_speaker_and_no_role_loads(data: Path) -> None:
    source = data / "sources" / "test-history-ru-2024-02.yaml"
    _edit(source, "    speaker: null\n    role: null\n    quote: >-\n      В феврале",
          "    speaker: ministry-of-agriculture-kz\n    role: null\n    quote: >-\n      В феврале")
    g = load_curated(data).graph
    assert (STATEMENT["test-jp-lifted-2024"], URIRef("http://www.w3.org/ns/prov#wasAttributedTo"),
            URIRef("https://w3id.org/agrikg/agent/ministry-of-agriculture-kz")) in g


def test_a_source_file_not_named_after_its_document_is_a_problem(data: Path) -> None:
    sources = data / "sources"
    (sources / "test-history-en-2022-05.yaml").rename(sources / "misnamed.yaml")
    problem = _one(_problems(data), "document file")
    assert problem.origin.path.endswith("misnamed.yaml") and "name it" in problem.message


# --------------------------------------------------------------------------- digests


def test_a_digest_changes_with_what_a_record_says_not_with_its_labels(curated) -> None:
    from rdflib import Graph

    graph = Graph()
    graph += curated.graph
    before = history_digests(graph)
    assert set(before) == {"records", "measures"}
    assert all(len(d) == 16 and int(d, 16) >= 0 for d in before["records"].values())
    assert str(BAN) in before["measures"] and str(IMPOSED) in before["records"]
    graph.add((LIFTED, RDFS.label, Literal("another label", lang="en")))
    graph.add((LIFTED, AGK.supersedes, RECORD["kz-cn-wheat"]))
    assert history_digests(graph) == before
    graph.set((LIFTED, AGK.accessStatus, URIRef("https://w3id.org/agrikg/access-status/open")))
    graph.set((BAN, AGK.endDate, Literal("2023-06-30", datatype=XSD.date)))
    after = history_digests(graph)
    changed = {k for kind in after for k in after[kind] if after[kind][k] != before[kind][k]}
    assert changed == {str(LIFTED), str(BAN)}


def test_the_curated_data_alone_still_loads() -> None:
    assert load_curated(DATA_DIR).records


# -- a problem of the data is reported as one; a bug of the loader is raised as the bug it is -----
@pytest.mark.parametrize(("old", "new", "words"), [
    # text where a mapping of translations belongs: the data's shape
    ("    translation:\n      en: >-\n        According to the Vice Minister",
     "    translation: [en, ru]\n    x:\n      en: >-\n        According to the Vice Minister",
     "wrong shape"),
    ("  - id: china-market-open\n", "  - ident: china-market-open\n",
     "lacks the required field 'id'"),
])
def test_a_wrong_shape_in_the_data_is_a_problem_at_its_line(data: Path, old, new, words) -> None:
    sources = data / "sources.yaml"
    line = _line_of(sources, "  - id: china-market-open")
    text = sources.read_text(encoding="utf-8")
    start = text.index("  - id: china-market-open\n")
    assert old in text[start:]
    sources.write_text(text[:start] + text[start:].replace(old, new, 1), encoding="utf-8")
    problems = [p for p in _problems(data) if p.rule == "data shape"]
    assert [p.origin.line for p in problems] == [line], [str(p) for p in problems]
    assert words in problems[0].message


def test_a_yaml_file_that_is_not_a_mapping_is_a_problem_not_a_crash(data: Path) -> None:
    (data / "programme.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    problem = _one(_problems(data), "data shape")
    assert problem.origin.path.endswith("programme.yaml") and "not a mapping" in problem.message


def _bug(kind: type[Exception]):
    from graph.build import curated_files

    def labels(*_args: object) -> None:
        if kind is KeyError:
            {}["kk"]  # the loader's own dictionary, not a field of the data
        elif kind is AttributeError:
            curated_files.Curated().no_such_attribute  # noqa: B018
        else:
            curated_files._split()  # called wrongly
    return labels


@pytest.mark.parametrize("kind", [KeyError, TypeError, AttributeError])
def test_a_bug_of_the_loader_is_raised_as_what_it_is(data: Path, monkeypatch, kind) -> None:
    from graph.build import curated_files

    monkeypatch.setattr(curated_files, "_labels", _bug(kind))
    with pytest.raises(kind):
        load_curated(data)
