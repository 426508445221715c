"""`agrikg` as a user runs it: a real process, its exit code, what it prints."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from graph import DATA_DIR
from graph.build.builder import build
from graph.settings import Settings
from tests.helpers.env import clean_env
from tests.test_named_queries import curated_records

AGRIKG = str(Path(sys.executable).parent / "agrikg")


def run(settings: Settings, *args: str, endpoint: str | None = None,
        env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    settings_env = {"home": str(settings.home), "data_dir": str(settings.data_dir)}
    if endpoint:
        settings_env["endpoint"] = endpoint
    env = clean_env(**settings_env) | {"COLUMNS": "200", "NO_COLOR": "1"} | (env or {})
    return subprocess.run([AGRIKG, *args], capture_output=True, text=True, env=env, timeout=120,
                          cwd=cwd)


@pytest.mark.parametrize(("product", "market", "lang", "status", "words"), [
    ("бидай", "Қытай", "kk", "open", "Нарық ашық"),
    ("говядина", "ОАЭ", "ru", "restriction-lifted",
     "по более широкой группе «Мясо, кроме свинины», в которую входит продукция «Говядина»"),
    ("0204", "IR", "en", "unknown", "Chilled mutton"),
    ("cattle", "Iran", "en", "requirements-planned", "Agreement of requirements planned"),
    ("mutton", "IR", "en", "requirements-agreed", "by complete coverage"),
    ("hen eggs", "IR", "en", "unknown", "Edible hen eggs: Requirements agreed (from the group"),
])
def test_check_prints_the_answer_with_the_source_quote(settings, product, market, lang, status,
                                                       words) -> None:
    # the first report's answers, as of the day its year records start
    result = run(settings, "check", product, market, "--lang", lang, "--as-of", "2018-01-01")
    assert result.returncode == 0, result.stderr
    # the panel wraps long lines: read its text as one line
    flat = " ".join(line.strip().strip("│").strip() for line in result.stdout.splitlines())
    assert words in flat
    assert "«" in result.stdout, "the Kazakh quote is shown"


def test_check_json_answers_the_same_on_a_remote_oxigraph_server(settings, oxigraph_url) -> None:
    local = run(settings, "check", "0407.21", "IR", "--json")
    remote = run(settings, "check", "0407.21", "IR", "--json", endpoint=oxigraph_url)
    assert local.returncode == remote.returncode == 0, remote.stderr
    a, b = json.loads(local.stdout), json.loads(remote.stdout)
    assert a == b
    assert a["status"] == "requirements-agreed" and a["via"]["id"] == "edible-eggs"
    assert a["permitted"] is True
    for product in ("mutton", "hen eggs"):  # complete coverage and the narrower records
        local = run(settings, "check", product, "IR", "--json")
        remote = run(settings, "check", product, "IR", "--json", endpoint=oxigraph_url)
        assert json.loads(local.stdout) == json.loads(remote.stdout), product


def test_pork_to_the_uae_is_unknown_with_no_permitted_yes(settings) -> None:
    result = run(settings, "check", "0203", "AE")
    assert result.returncode == 0, result.stderr
    assert "Unknown (unknown)" in result.stdout
    assert "Supply possible (by status): unknown" in result.stdout
    assert "yes" not in result.stdout.lower().replace("not a prohibition", "")


def test_an_unknown_pair_is_unknown_and_exits_zero(settings) -> None:
    result = run(settings, "check", "honey", "DE", "--json")
    assert result.returncode == 0
    answer = json.loads(result.stdout)
    assert (answer["status"], answer["permitted"]) == ("unknown", None)


@pytest.mark.parametrize(("args", "words"), [
    (("check", "wheet", "CN"), "closest matches: Wheat"),
    (("check", "wheat", "Chna"), "closest matches: China"),
    (("check", "wheat", "CN", "--lang", "de"), "--lang must be kk, ru or en"),
    (("check", "пшеничка", "CN", "--lang", "ru"), "Продукция «пшеничка» не найдена. "
                                                  "Ближайшие совпадения: Пшеница (1001)"),
    (("check", "wheat", "Китаец", "--lang", "ru"), "Рынок «Китаец» не найден. "
                                                  "Ближайшие совпадения: Китай (CN)."),
    (("check", "бидаймен", "CN", "--lang", "kk"), "«бидаймен» өнімі табылмады. "
                                                  "Ең жақын сәйкестіктер: Бидай (1001)"),
    (("check", "wheat", "Қытайлық", "--lang", "kk"), "«Қытайлық» нарығы табылмады. "
                                                    "Ең жақын сәйкестіктер: Қытай (CN)."),
])
def test_bad_input_exits_non_zero_with_a_clear_message(settings, args, words) -> None:
    result = run(settings, *args)
    assert result.returncode == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_an_unreachable_endpoint_is_a_clear_error(settings) -> None:
    result = run(settings, "check", "wheat", "CN", endpoint="http://127.0.0.1:9/query")
    assert result.returncode == 1
    assert "unreachable" in result.stderr
    assert "Traceback" not in result.stderr


def test_query_runs_a_named_query(settings) -> None:
    result = run(settings, "query", "pending_negotiations", "-p", "lang=ru", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    # every planned record, the first report's live cattle to Iran among them
    assert len(rows) == sum(r["status"] == "requirements-planned" or r["vet_status"] == "planned"
                            for r in curated_records())
    assert {(r["marketLabel"], r["product"].rsplit("/", 1)[-1]) for r in rows} >= {
        ("Иран", "cattle")}
    listing = run(settings, "queries")
    assert "access_check" in listing.stdout and "$product" in listing.stdout


def test_check_builds_the_graph_first_when_none_exists(tmp_path) -> None:
    result = run(Settings(home=tmp_path / "fresh"), "check", "wheat", "CN")
    assert result.returncode == 0, result.stderr
    assert "building it first" in result.stderr
    assert "Market open" in result.stdout


def test_help_explains_the_commands(settings) -> None:
    result = run(settings, "--help")
    assert result.returncode == 0
    for command in ("build", "check", "query", "queries", "info"):
        assert command in result.stdout
    assert "Exits 2" in run(settings, "check", "--help").stdout


def test_build_from_a_generated_file_and_a_broken_one(tmp_path) -> None:
    """`agrikg build --from FILE`: phases printed; a malformed file is one clear error."""
    home = Settings(home=tmp_path / "home")
    generated = tmp_path / "g.nt"
    assert run(home, "generate", "--triples", "10000", "-o", str(generated)).returncode == 0
    result = run(home, "build", "--from", str(generated))
    assert result.returncode == 0, result.stderr
    assert "Phases: load" in result.stdout and "validate" in result.stdout
    broken = tmp_path / "broken.nt"
    broken.write_text(generated.read_text(encoding="utf-8") + "<a> <b> oops .\n", encoding="utf-8")
    failed = run(home, "build", "--from", str(broken))
    assert failed.returncode == 1
    assert f"{broken}:" in failed.stderr and "stays as it was" in failed.stderr
    assert "Traceback" not in failed.stderr + failed.stdout
    assert "--from" in run(home, "build", "--help").stdout


def test_a_graph_a_dump_cannot_carry_is_a_build_problem_not_a_disk_error(tmp_path) -> None:
    """JSON-LD 1.1 cannot write RDF 1.2 triple terms: the build says so, never blames the disk."""
    home = Settings(home=tmp_path / "home")
    source = tmp_path / "rdf12.nt"
    source.write_text("<http://example.org/a> <http://example.org/b> <<( <http://example.org/a> "
                      "<http://example.org/b> <http://example.org/c> )>> .\n", encoding="utf-8")
    failed = run(home, "build", "--from", str(source))
    assert failed.returncode == 1
    assert "cannot be written as JSON-LD" in failed.stderr, failed.stderr
    assert "disk" not in failed.stderr and "Traceback" not in failed.stderr + failed.stdout


@pytest.mark.parametrize(("args", "words"), [
    (("check", "[/x]", "CN"), "no product matches '[/x]'"),
    (("check", "beef", "[/red]"), "no market matches '[/red]'"),
    (("check", "wheat", "[bold]"), "no market matches '[bold]'"),
    (("check", "wheat", "CN", "--lang", "[/x]"), "not '[/x]'"),
    (("query", "[/x]"), "no named query '[/x]'"),
    (("query", "statement", "-p", "[/x]"), "NAME=VALUE, not '[/x]'"),
    (("query", "statement", "-p", "[/x]=1"), "not ['[/x]']"),
])
def test_markup_in_the_input_is_printed_as_written(settings, args, words) -> None:
    result = run(settings, *args)
    assert result.returncode == 2, result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("value", ["http://x/>", "https://x/a b", "http://x/{y}",
                                   "http://x/\"q\""])
def test_an_iri_parameter_that_is_not_an_iri_is_refused_with_exit_code_2(settings,
                                                                          value) -> None:
    result = run(settings, "query", "statement", "-p", f"statement={value}")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert f"$statement of query 'statement': {value!r} is not an IRI" in result.stderr


def test_data_holding_markup_and_emoji_codes_is_printed_as_written(tmp_path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    products = data / "products.csv"
    products.write_text(products.read_text(encoding="utf-8").replace(
        ",Wheat,", ",Wheat [/red] [bold]grain[/bold] :cow:,", 1), encoding="utf-8")
    sources = data / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    assert "        According to the Vice Minister" in text
    sources.write_text(text.replace("        According to the Vice Minister",
                                    "        [/italic] According to the Vice Minister", 1),
                       encoding="utf-8")
    settings = Settings(home=tmp_path / "home", data_dir=data, endpoint=None)
    build(settings)
    result = run(settings, "check", "wheat", "CN")
    assert result.returncode == 0, result.stderr
    assert "Wheat [/red] [bold]grain[/bold] :cow: (HS 1001)" in result.stdout
    assert "[/italic] According to" in result.stdout
    rows = run(settings, "query", "product_index")
    assert rows.returncode == 0, rows.stderr
    assert "[/red] [bold]grain[/bold]" in rows.stdout
    assert "Traceback" not in result.stderr + rows.stderr


@pytest.mark.parametrize(("args", "endpoint", "words"), [
    (("generate", "-n", "[/x]", "-o", "x.nt"), None, "not '[/x]'"),
    (("serve", "--port", "99999999"), None, "--port / AGRIKG_PORT: Input should be less than"),
    (("check", "wheat", "CN"), "http://[::1", "AGRIKG_ENDPOINT: not a URL"),
    (("query", "statement"), "ftp://x", "expected an http:// or https:// URL"),
    (("info",), "not a url", "--endpoint / AGRIKG_ENDPOINT"),
])
def test_a_bad_setting_or_option_is_one_clear_line_and_exit_code_2(settings, args, endpoint,
                                                                   words) -> None:
    result = run(settings, *args, endpoint=endpoint)
    assert result.returncode == 2, result.stdout + result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def run_history(home: Path, *args: str) -> subprocess.CompletedProcess:
    """agrikg over the made-up UZ -> JP history (tests/data/history/uz-jp.ttl)."""
    return run(Settings(home=home, exporter="UZ"), *args, env={"AGRIKG_EXPORTER": "UZ"})


def test_check_as_of_two_dates_a_change_apart(history_home, history_store) -> None:
    from graph.answers.check import check

    before = run_history(history_home, "check", "beef", "JP", "--as-of", "2023-06-01", "--json")
    after = run_history(history_home, "check", "beef", "JP", "--as-of", "2024-05-01", "--json")
    assert before.returncode == after.returncode == 0, before.stderr
    a, b = json.loads(before.stdout), json.loads(after.stdout)
    assert (a["status"], b["status"]) == ("restricted", "restriction-lifted")
    assert a["sources"][0]["quote"] != b["sources"][0]["quote"]
    assert a == check(history_store, "beef", "JP", exporter="UZ", as_of="2023-06-01")
    text = run_history(history_home, "check", "beef", "JP", "--as-of", "2023-06-01")
    flat = " ".join(line.strip().strip("│").strip() for line in text.stdout.splitlines())
    assert "How it got here" in flat and "Answer as of: 2023-06-01" in flat
    assert "2022  Beef: Restricted ← answers" in flat
    assert "2024-02-07  Beef: Restrictions lifted (after the asked date)" in flat


@pytest.mark.parametrize(("lang", "words"), [("en", "YYYY-MM-DD"), ("ru", "ГГГГ-ММ-ДД"),
                                             ("kk", "ЖЖЖЖ-АА-КК")])
def test_check_refuses_a_date_that_is_not_one_in_the_users_language(history_home, lang,
                                                                    words) -> None:
    result = run_history(history_home, "check", "beef", "JP", "--as-of", "2024-02-30",
                         "--lang", lang)
    assert result.returncode == 2
    assert words in result.stderr and "Traceback" not in result.stderr


# -- errors reported as what they are (in process: a bug is planted with monkeypatch) ----------
def _invoke(settings: Settings, *args: str):
    from typer.testing import CliRunner

    from graph.cli import app

    return CliRunner().invoke(app, list(args), env={"AGRIKG_HOME": str(settings.home),
                                                    "NO_COLOR": "1", "COLUMNS": "200"})


@pytest.mark.parametrize("bug", [KeyError("status"), TypeError("unsupported operand")])
def test_a_bug_in_the_check_is_never_reported_as_input_that_matches_nothing(
        settings, monkeypatch, bug) -> None:
    import graph.cli

    def broken(*_args: object, **_kwargs: object) -> None:
        raise bug

    monkeypatch.setattr(graph.cli, "check_access", broken)
    result = _invoke(settings, "check", "wheat", "CN")
    assert result.exit_code != 2, "exit 2 says the input matched nothing"
    assert result.exception is bug


@pytest.mark.parametrize(("args", "words"), [
    (("check", "no-such-product", "CN"), "no-such-product"),
    (("query", "no_such_query"), "no named query 'no_such_query'"),
    (("query", "statement", "--param", "nonsense=1"), "takes ['statement'"),
])
def test_input_that_matches_nothing_still_exits_2_saying_so(settings, args, words) -> None:
    result = _invoke(settings, *args)
    assert result.exit_code == 2, result.output
    assert words in " ".join(result.output.split())


def test_changes_lists_each_status_change_with_its_source(feed_home) -> None:
    home = Settings(home=feed_home)
    result = run(home, "changes", "--market", "NR", "--product", "beef")
    assert result.returncode == 0, result.stderr
    flat = " ".join(result.stdout.split())
    assert "Restricted → Restrictions lifted" in flat
    assert "Unknown → Market open" in flat
    assert "Test Agency, 2024-02-08" in flat and "Nauru lifted the restrictions" in flat
    assert "test-kz-nr-beef-2019" not in flat  # it repeats "open": no change
    assert "3 change(s)" in result.stderr
    as_json = run(home, "changes", "-m", "Науру", "--since", "2024", "--json", "--lang", "ru")
    assert as_json.returncode == 0, as_json.stderr
    [change] = json.loads(as_json.stdout)
    assert (change["id"], change["old_status"], change["status"]) == \
        ("test-kz-nr-beef-2024-02-07", "restricted", "restriction-lifted")
    assert change["title"] == "Говядина — Науру: Поставки ограничены → Ограничения сняты"
    conflict = run(home, "changes", "-m", "IS", "--since", "2023-12")
    assert conflict.returncode == 0 and "sources disagree" in conflict.stdout


@pytest.mark.parametrize(("args", "words"), [
    (("changes", "--market", "Narnia"), "market: no market matches “Narnia”"),
    (("changes", "--product", "unobtainium", "--lang", "ru"), "продукция «unobtainium» не найдена"),
    (("changes", "--since", "2024-13"), "give YYYY, YYYY-MM or YYYY-MM-DD"),
    (("changes", "--since", "[/x]"), "since: “[/x]” is not a date"),
])
def test_changes_with_a_bad_filter_exits_2_saying_what_is_accepted(settings, args, words) -> None:
    result = run(settings, *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert words in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr + result.stdout


def test_changes_help_says_what_a_change_is(settings) -> None:
    result = run(settings, "changes", "--help")
    assert result.returncode == 0
    flat = " ".join(result.stdout.split())
    for words in ("--since", "--market", "--product", "--lang", "--json", "YYYY-MM-DD",
                  "`unknown` (no information)", "conflict", "Exits 2"):
        assert words in flat, words


def test_info_shows_what_the_build_changed(tmp_path) -> None:
    """`agrikg info` after a second build: the diff against the build it replaced, as counts
    and first ids; the per-record digests are counted, not printed."""
    from tests.conftest import history_data

    home = Settings(home=tmp_path / "home", data_dir=history_data(tmp_path / "data"))
    assert run(home, "build").returncode == 0
    records = home.data_dir / "records" / "test-history.csv"
    records.write_text(records.read_text(encoding="utf-8").replace(
        "restriction-lifted,,2024-02,month", "open,,2024-02,month"), encoding="utf-8")
    assert run(home, "build").returncode == 0
    result = run(home, "info")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["diff"]["records"]["changed"] == {"count": 1, "first": ["kz-jp-beef-2024-02"]}
    assert info["diff"]["records"]["added"] == {"count": 0, "first": []}
    assert info["diff"]["previous"]["build"]
    assert set(info["records"]) == {"count"} and set(info["measures"]) == {"count"}
    assert info["records"]["count"] > 20 and "https://w3id.org/agrikg/record/" not in result.stdout
