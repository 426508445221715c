"""`agrikg`: build the graph, check market access, run the named queries."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from graph import interpreter
from graph.answers.check import check as check_access
from graph.answers.check import validated
from graph.answers.dates import AsOf, parse_as_of
from graph.answers.messages import words
from graph.answers.statuses import UNKNOWN_ROLE, colour_roles, palette
from graph.endpoint.sandbox import probe
from graph.errors import BadDate, BuildError, ResolveError, StoreError
from graph.settings import Settings
from graph.store import named_queries as queries
from graph.store.backends import open_store
from graph.store.builds import build_info, current_build, diff_summary, with_extras
from graph.store.named_queries import IRI, BadParameter, UnknownParameter, UnknownQuery

app = typer.Typer(
    help="agrikg: an open knowledge graph of agricultural market access.\n\n"
         "Start with `agrikg build`, then ask `agrikg check PRODUCT MARKET`, e.g.\n"
         "`agrikg check wheat CN`, `agrikg check \"сиыр еті\" Қытай --lang kk`, "
         "`agrikg check 0204 IR --json`.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# No emoji codes: a label holding `:cow:` is printed as written (markup is escaped where data
# or input is printed).
out = Console(emoji=False)
# Error lines are not wrapped: a file:line in a message must stay whole when stderr is a pipe.
err = Console(stderr=True, soft_wrap=True, emoji=False)

Lang = Annotated[str, typer.Option("--lang", "-l", help="Answer language: kk, ru or en.")]
Endpoint = Annotated[str | None, typer.Option(
    "--endpoint", envvar="AGRIKG_ENDPOINT",
    help="Query a remote SPARQL 1.1 endpoint (URL) instead of the embedded store.")]


def _settings(endpoint: str | None = None, **overrides: object) -> Settings:
    """Settings from the AGRIKG_* variables and the flags given; a bad value is one clear line
    per setting and exit code 2, never a traceback."""
    if endpoint:
        overrides["endpoint"] = endpoint
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "setting"
            flag = "--" + name.replace("_", "-")
            message = error["msg"].removeprefix("Value error, ")
            line = f"{flag} / AGRIKG_{name.upper()}: {message} (got {error.get('input')!r})"
            err.print(f"[red]{escape(line)}[/red]")
        raise typer.Exit(2) from None


AsOfOption = Annotated[str | None, typer.Option(
    "--as-of", metavar="YYYY[-MM[-DD]]",
    help="Answer as of this date (a year or month means its last day); default today.")]


def _as_of(text: str | None, lang: str) -> AsOf:
    """The asked date, or exit 2 saying in the user's language what is accepted."""
    try:
        return parse_as_of(text)
    except BadDate as exc:
        err.print(f"[red]--as-of: {escape(exc.message(lang))}[/red]")
        raise typer.Exit(2) from None


def _lang(lang: str) -> str:
    if lang not in ("kk", "ru", "en"):
        err.print(f"[red]--lang must be kk, ru or en, not {escape(repr(lang))}[/red]")
        raise typer.Exit(2)
    return lang


@contextmanager
def _user_errors(lang: str = "en") -> Iterator[None]:
    """Turn what went wrong into a clear message and exit code, never a traceback for input:
    2 for input that matches nothing or is malformed, 1 when the graph or store cannot answer.
    Only the resolver's and the named queries' own errors are the user's input; any other
    error is a bug of agrikg and is raised as one. Messages quote the user's input and the
    data, so they are printed as text, not markup. A name that matches nothing is said in
    `lang`, the command's --lang, with the closest matches."""
    try:
        yield
    except (ResolveError, UnknownQuery, UnknownParameter, BadParameter) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        if isinstance(exc, ResolveError):
            message = exc.message(lang)
        err.print(f"[red]{escape(str(message))}[/red]")
        raise typer.Exit(2) from None
    except BuildError as exc:
        _print_build_error(exc)
        raise typer.Exit(1) from None
    except (StoreError, OSError) as exc:
        err.print(f"[red]{escape(str(exc))}[/red]", soft_wrap=True)
        raise typer.Exit(1) from None


def _open(settings: Settings):
    """The store to answer from, building the graph first when none has been built (the only
    place besides `agrikg build` that loads the write side, and only then)."""
    if not settings.endpoint and current_build(settings) is None:
        from graph.build.builder import ensure_built

        ensure_built(settings, progress=lambda m: err.print(f"[dim]{escape(m)}[/dim]"))
    return open_store(settings)


def _who_and_where(source: dict, word: dict[str, str]) -> str:
    """Who said it (when the document attributes it), at which event, and the document: its
    title, publisher, date and address. Parts a source does not have are left out."""
    date = source.get("event_date")
    if date and source.get("event_date_inferred"):
        date = f"{date}, {word['inferred_short']}"
    who = ", ".join(part for part in (source.get("speaker"), source.get("role")) if part)
    event = " ".join(part for part in (source.get("event"), f"({date})" if date else "") if part)
    document = ", ".join(part for part in (
        f"«{source['document_label']}»" if source.get("document_label") else None,
        source.get("publisher"), source.get("published"), source.get("url")) if part)
    return " — ".join(part for part in (who, event, document) if part)


def _print_json(value: object) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def _print_build_error(exc: BuildError) -> None:
    if all(p.rule == "--extra" for p in exc.problems):
        err.print("[red bold]The extra files cannot be served:[/red bold]")
    else:
        err.print(f"[red bold]The graph was not built: {len(exc.problems)} problem(s).[/red bold] "
                  "The graph served before stays as it was.")
    for problem in exc.problems:
        where = f"[bold]{escape(str(problem.origin))}[/bold]: " if problem.origin else ""
        err.print(f"  - {where}{escape(problem.focus)}\n      {escape(problem.message)}  "
                  f"[dim]({escape(problem.rule)})[/dim]")


@app.command()
def build(
    source: Annotated[Path | None, typer.Option(
        "--from", metavar="FILE",
        help="Build from a large RDF file instead of graph/data/ (e.g. one written by "
             "`agrikg generate`): N-Triples, Turtle, RDF/XML, JSON-LD or N3 by extension. "
             "The ontology is added; the file is loaded straight into the store and validated "
             "there (SHACL run as SPARQL, HS 2022), for graphs of millions of triples.")] = None,
) -> None:
    """Parse the ontology and graph/data/, validate (SHACL, HS 2022), write the store and dumps.

    The new build replaces the served one only when it is valid and complete.
    """
    from graph.build.builder import build as build_graph

    settings = _settings()
    with _user_errors(), err.status("building") as status:
        try:
            result = build_graph(settings, progress=lambda m: status.update(escape(m)),
                                 source=source)
        except OSError as exc:  # home not a directory, read-only, disk full, ...
            raise StoreError(f"The graph was not built: cannot write {exc.filename or settings.home}"
                             f" ({exc.strerror or exc}); check AGRIKG_HOME and the free disk "
                             "space. The graph served before stays as it was.") from None
    out.print(f"Built {result.triples:,} triples in {result.seconds:.1f} s -> "
              f"{escape(str(result.path))}")
    if result.phases:
        out.print("Phases: " + ", ".join(f"{name} {seconds:.1f} s"
                                         for name, seconds in result.phases.items()))
    out.print(f"Dumps: {escape(', '.join(p.name for p in sorted(result.path.glob('graph.*'))))}")


@app.command()
def check(
    product: Annotated[str, typer.Argument(help="Product: a name in kk/ru/en, an id, or an HS "
                                                "code (2-6 digits, dots and spaces allowed).")],
    market: Annotated[str, typer.Argument(help="Market: ISO 3166-1 code (CN, CHN, 156) or a "
                                               "country name in kk/ru/en.")],
    lang: Lang = "en",
    as_of: AsOfOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON answer.")] = False,
    endpoint: Endpoint = None,
) -> None:
    """May PRODUCT be shipped to MARKET, under what veterinary status, and who said so?

    No record in the graph answers `unknown` (never a prohibition). Exits 2 when the product
    or market matches nothing, with the closest matches, or when --as-of is no date.
    """
    lang = _lang(lang)
    at = _as_of(as_of, lang)
    settings = _settings(endpoint)
    with _user_errors(lang):
        store = _open(settings)
        answer = validated(check_access(store, product, market, lang=lang,
                                        exporter=settings.exporter, as_of=at))
        role = colour_roles(store).get(answer["status"], "restricted" if answer["status"] ==
                                       "conflict" else UNKNOWN_ROLE)
    if as_json:
        _print_json(answer)
        return
    _print_answer(answer, palette()[0].get(role, "white"))


def _print_answer(answer: dict, colour: str = "white") -> None:
    """The answer in a panel, in the colour of its status's role (the page's and the graph's
    colour). Every value comes from the data or the user's input, so each is escaped: a label
    or quote holding `[...]` is printed as written, never read as markup."""
    e = _text
    lang = answer["lang"]
    word = words(lang)
    reading = answer["permitted_reading"]
    vet = answer["veterinary_requirements"]
    product, market = answer["product"], answer["market"]
    lines = [
        f"[bold]{e(product['label'])}[/bold] (HS {e(', '.join(product['hs_codes']))}) -> "
        f"[bold]{e(market['label'])}[/bold] ({e(market['code'])})",
        f"[{colour} bold]{e(answer['status_label'])}[/{colour} bold] [dim]({e(answer['status'])})[/dim]",
        f"{e(word['permitted'])}: {e(reading['text'])}",
        f"[dim]  {e(word['permitted_reading'])}: {e(reading['note'])}[/dim]",
        f"{e(word['vet'])}: {e(vet['label'] if vet else word['not_stated'])}",
        f"{e(word['as_of_asked'])}: {e(answer['as_of_asked'])}",
        "",
        e(answer["message"]),
    ]
    for measure in answer["exporter_measures"]:
        lines += ["", f"[bold]{e(word['measures'])}[/bold]: {e(measure['label'])} "
                      f"({e(measure['kind'])}, {e((measure['start'] or {}).get('value'))} – "
                      f"{e((measure['end'] or {}).get('value') or '…')})"]
    for source in answer["sources"]:
        lines += ["", f"[bold]{e(word['source'])}[/bold]: {e(_who_and_where(source, word))}",
                  f"  «{e(source['quote'])}»",
                  f"  [italic]{e(source['translation'])}[/italic]"]
    for note in answer["inferred"]:
        lines += ["", f"[dim]{e(word['inferred'])} ({e(note['field_label'])}): "
                      f"{e(note['reason'])}[/dim]"]
    if answer["partial"]:
        complete = answer.get("coverage") and answer["coverage"].get("complete")
        lines += ["", f"[bold]{e(word['complete' if complete else 'narrower'])}[/bold]:"]
        for item in answer["partial"]:
            via = f" ← {e(item['via']['label'])}" if item["via"] else ""
            lines.append(f"  - {e(item['product']['label'])} "
                         f"(HS {e(', '.join(item['product']['hs_codes']))}){via}: "
                         f"{e(item['status_label'])}")
            for source in item["sources"]:
                lines.append(f"    «{e(source['quote'])}» — {e(source['speaker'])}")
    if len(answer["history"]) > 1:
        lines += ["", f"[bold]{e(word['history'])}[/bold]:"]
        for step in answer["history"]:
            mark = f" ← {e(word['answers_now'])}" if step["answers"] else (
                "" if step["in_effect"] else f" [dim]({e(word['not_yet'])})[/dim]")
            lines.append(f"  {e(step['as_of'])}  {e(step['product_label'])}: "
                         f"{e(step['status_label'])}{mark}")
    out.print(Panel("\n".join(lines), border_style=colour, expand=False))


def _text(value: object) -> str:
    """A value from the data or the user, escaped for Rich markup (None prints as nothing)."""
    return escape("" if value is None else str(value))


@app.command()
def changes(
    since: Annotated[str | None, typer.Option(
        "--since", metavar="DATE", help="Only changes that took effect on or after DATE: YYYY, "
                                        "YYYY-MM or YYYY-MM-DD (2024 means from 1 January 2024).")] = None,
    market: Annotated[str | None, typer.Option(
        "--market", "-m", help="Only this market: ISO 3166-1 code (CN, CHN, 156) or a country "
                               "name in kk/ru/en.")] = None,
    product: Annotated[str | None, typer.Option(
        "--product", "-p", help="Only this product, the products within it and the groups whose "
                                "records reach it: a name in kk/ru/en, an id or an HS code.")] = None,
    lang: Lang = "en",
    as_json: Annotated[bool, typer.Option("--json", help="Print the changes as JSON (the same "
                                                         "as the entries of /changes.atom).")] = False,
    endpoint: Endpoint = None,
) -> None:
    """Every change of access status of a pair, newest first: old -> new status, the date it
    took effect, the record, and the source's own words (the entries of /changes.atom).

    A pair's first record changes `unknown` (no information) into its status. A record that
    repeats the status before it is no change. Sources disagreeing on one date are marked as a
    conflict, and every status of that date is named.

    Examples: `agrikg changes --market CN --since 2022`, `agrikg changes -p beef -l ru --json`.

    Exits 2 when a filter matches nothing or is no date, saying what is accepted.
    """
    from graph.answers.changes import BadFilter
    from graph.answers.changes import changes as status_changes
    from graph.answers.messages import CHANGES, as_of_phrase

    lang = _lang(lang)
    settings = _settings(endpoint)
    with _user_errors(lang):
        try:
            store = _open(settings)
            found = status_changes(store, lang, market=market, product=product,
                                   since=since, exporter=settings.exporter)
            roles = colour_roles(store)
        except BadFilter as exc:
            err.print(f"[red]{escape(exc.message)}[/red]")
            raise typer.Exit(2) from None
    if as_json:
        _print_json(found)
        return
    word = words(lang, CHANGES)
    if not found:
        err.print(_text(word["none"]))
        return
    table = Table(_text(word["col_date"]), _text(word["col_pair"]), _text(word["col_change"]),
                  _text(word["col_source"]), title=_text(word["feed_title"]), show_lines=True)
    for change in found:
        colour = palette()[0].get(roles.get(change["status"], UNKNOWN_ROLE), "white")
        conflict = f"\n[yellow]{_text(word['conflict'])}[/yellow]" if change["conflict"] else ""
        sources = "\n".join(
            f"{_text(s['publisher'] or s['document_label'] or '')}"
            + (f", {_text(s['published'])}" if s["published"] else "")
            + f": «{_text(' '.join((s['quote'] or '').split()))}»"
            + (f"\n[dim]{_text(s['url'])}[/dim]" if s["url"] else "")
            for s in change["sources"])
        table.add_row(_text(as_of_phrase(change["as_of"], change["precision"], lang)),
                      f"{_text(change['product']['label'])} → {_text(change['market']['label'])}"
                      f" ({_text(change['market']['code'])})\n[dim]{_text(change['id'])}[/dim]",
                      f"{_text(change['old_status_label'])} → [{colour} bold]"
                      f"{_text(change['status_label'])}[/{colour} bold]{conflict}",
                      sources)
    out.print(table)
    err.print(f"[dim]{len(found)} change(s)[/dim]")


@app.command("queries")
def list_queries() -> None:
    """List the named SPARQL queries (graph/queries/*.rq) and their parameters."""
    table = Table("name", "parameters", "answers")
    for name in queries.names():
        q = queries.load(name)
        table.add_row(_text(name), _text(" ".join(f"${p}" for p in q.params)), _text(q.summary))
    out.print(table)


@app.command()
def query(
    name: Annotated[str, typer.Argument(help="A named query; see `agrikg queries`.")],
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="NAME=VALUE; a value starting with http(s):// is an IRI.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print rows as JSON.")] = False,
    endpoint: Endpoint = None,
) -> None:
    """Run a named query and print its rows."""
    params: dict[str, object] = {}
    for item in param or []:
        key, sep, value = item.partition("=")
        if not sep:
            err.print(f"[red]--param takes NAME=VALUE, not {_text(repr(item))}[/red]")
            raise typer.Exit(2)
        params[key] = IRI(value) if value.startswith(("http://", "https://")) else value
    with _user_errors():
        queries.load(name)
        rows = queries.select(_open(_settings(endpoint)), name, **params)
    if as_json:
        _print_json(rows)
        return
    columns = list(dict.fromkeys(k for row in rows for k in row))
    table = Table(*(_text(c) for c in columns))
    for row in rows:
        table.add_row(*(_text(row.get(c, "")) for c in columns))
    out.print(table)
    err.print(f"[dim]{len(rows)} row(s)[/dim]")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on [env AGRIKG_HOST, "
                                                  "default 127.0.0.1].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [env AGRIKG_PORT, default 8000].")] = None,
    endpoint: Endpoint = None,
    workers: Annotated[int | None, typer.Option(help="uvicorn worker processes [env "
                                                     "AGRIKG_WORKERS, default 1].")] = None,
    extra: Annotated[list[str] | None, typer.Option(
        "--extra", help="FILE=GRAPH_IRI: also serve this RDF file, read-only, as the named "
                        "graph GRAPH_IRI (repeatable; embedded store only).")] = None,
) -> None:
    """Serve the API (SPARQL endpoint, market-access JSON, linked data) with uvicorn.

    Uses the embedded store of the current build, building it first when there is none, or a
    remote SPARQL 1.1 endpoint with --endpoint. Every setting is listed in the README.
    """
    import json as json_module
    import os

    overrides = {k: v for k, v in {"host": host, "port": port, "endpoint": endpoint,
                                   "workers": workers, "extra": extra}.items() if v}
    settings = _settings(**overrides)
    if settings.endpoint and settings.extra:
        err.print("[red]--extra serves files beside the embedded store; with --endpoint, load "
                  "them into that SPARQL server instead.[/red]")
        raise typer.Exit(2)
    if not settings.endpoint:
        with _user_errors():
            _open(settings)  # builds the graph first when none exists
            with_extras(current_build(settings), settings.extra)  # checks and loads them now
    for key, value in overrides.items():
        os.environ[f"AGRIKG_{key.upper()}"] = (json_module.dumps(value) if isinstance(value, list)
                                               else str(value))
    err.print(_text(f"Serving on http://{settings.host}:{settings.port} "
                    f"({'remote ' + settings.endpoint if settings.endpoint else 'embedded store'}"
                    "); API docs at /docs"))
    # The server is a fresh interpreter with the app alone (api/__main__.py), same process.
    command, env = interpreter("api")
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(command[0], command, env)


@app.command()
def viz(
    output: Annotated[str, typer.Option("--output", "-o", help="The HTML file to write.")],
    market: Annotated[str | None, typer.Option(help="Only this market (code or name).")] = None,
    product: Annotated[str | None, typer.Option(help="Only this product, with its broader "
                                                     "and narrower products.")] = None,
    status: Annotated[str | None, typer.Option(help="Only records with this access status.")] = None,
    lang: Lang = "en",
    as_of: AsOfOption = None,
    endpoint: Endpoint = None,
) -> None:
    """Write an interactive graph view: one self-contained HTML file that works offline."""
    from pathlib import Path

    from graph.answers.views import render_filtered

    lang = _lang(lang)
    at = _as_of(as_of, lang)
    settings = _settings(endpoint)
    with _user_errors(lang):
        view = render_filtered(_open(settings), lang, market=market, product=product,
                               status=status, exporter=settings.exporter, as_of=at)
        Path(output).write_text(view.html, encoding="utf-8")
    err.print(f"Wrote {_text(output)}: {view.nodes} nodes, {view.edges} edges"
              + (f" (of {view.total_nodes}; filter to see the rest)"
                 if view.total_nodes > view.nodes else ""))


@app.command()
def stats(
    lang: Lang = "en",
    as_of: AsOfOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the analytics as JSON.")] = False,
    endpoint: Endpoint = None,
) -> None:
    """Network analytics: reach and diversification per product, products per market, the
    pending-negotiation frontier, centrality, products that share markets."""
    from graph.answers.analytics import stats as compute

    lang = _lang(lang)
    at = _as_of(as_of, lang)
    settings = _settings(endpoint)
    with _user_errors(lang):
        result = compute(_open(settings), lang, settings.exporter, at)
    if as_json:
        _print_json(result)
        return
    table = Table("product", "markets", "statuses", title="Reach per product (with inheritance)")
    for item in result["products"]:
        table.add_row(_text(item["label"]), str(item["markets"]), _text(", ".join(item["statuses"])))
    out.print(table)
    table = Table("market", "products", "statuses", title="Products per market (records)")
    for item in result["markets"]:
        table.add_row(_text(f"{item['label']} ({item['market']})"), str(item["products"]),
                      _text(", ".join(f"{k}: {v}" for k, v in item["statuses"].items())))
    out.print(table)
    table = Table("product", "market", "status", title="Pending negotiations")
    for item in result["pending"]:
        table.add_row(_text(item["product_label"]), _text(item["market_label"]),
                      _text(item["status"]))
    out.print(table)
    table = Table("node", "kind", "degree", "betweenness", title="Most central (top 10)")
    for item in result["centrality"][:10]:
        table.add_row(_text(item["label"]), _text(item["kind"]), str(item["degree"]),
                      str(item["betweenness"]))
    out.print(table)


def _triple_count(text: str) -> int:
    """`1000000`, `1_000_000`, `1,000,000` or `1e6`: benchmark sizes are typed every way."""
    cleaned = text.strip().replace("_", "").replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        value = float("nan")
    if not value.is_integer() or value < 1:
        err.print(f"[red]--triples takes a positive whole number such as 1000000 or 1e6, "
                  f"not {escape(repr(text))}[/red]")
        raise typer.Exit(2)
    return int(value)


@app.command()
def generate(
    triples: Annotated[str, typer.Option("--triples", "-n", help="About how many triples: "
                                         "1000000, 1_000_000 or 1e6.")],
    output: Annotated[str, typer.Option("--output", "-o", help="The N-Triples file to write.")],
    seed: Annotated[int, typer.Option(help="Random seed: the same seed and size give the same "
                                           "bytes.")] = 42,
    hs: Annotated[str | None, typer.Option(
        "--hs", help="HS nomenclature CSV (section,hscode,description,parent,level) "
                     "(default: graph/reference/hs2022.csv).")] = None,
) -> None:
    """Write a large synthetic graph of the real graph's shape, for benchmarks.

    Ontology, ISO 3166 markets and HS products as the build makes them; access records,
    statements and meetings synthetic. Deterministic, streamed (memory stays flat).
    """
    import time
    from pathlib import Path

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from graph.build.generator import write as write_generated

    count = _triple_count(triples)
    target = Path(output)
    if hs and not Path(hs).is_file():
        err.print(f"[red]--hs: no such file: {escape(hs)}[/red]")
        raise typer.Exit(2)
    started = time.monotonic()
    columns = (TextColumn("generating"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,}"),
               TimeElapsedColumn(), TimeRemainingColumn())
    with _user_errors(), Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("generate", total=count)
        try:
            written = write_generated(target, count, seed=seed, hs_file=Path(hs) if hs else None,
                                      progress=lambda done: bar.update(task, completed=min(done, count)))
        except ValueError as exc:  # an HS file without the expected columns or codes
            err.print(f"[red]{escape(str(exc))}[/red]")
            raise typer.Exit(2) from None
    seconds = time.monotonic() - started
    out.print(f"Wrote {written:,} triples to {_text(target)} in {seconds:.1f} s "
              f"({target.stat().st_size / 1e6:,.1f} MB, seed {seed})")


@app.command()
def info() -> None:
    """Show the served build: when it was built, its size and where it lives, what changed since
    the build it replaced (records and measures added, changed, removed: counts and the first
    ids), and how query workers would be confined on this machine (network namespace, memory
    limit)."""
    settings = _settings()
    details = build_info(settings)
    if details is None:
        err.print("No graph has been built yet; run `agrikg build`.")
        raise typer.Exit(1)
    # What changed since the build it replaced: counts and the first ids (build.json has all);
    # the per-record digests behind it are counted, not printed.
    if "diff" in details:
        details["diff"] = diff_summary(details["diff"])
    for kind in ("records", "measures"):
        if isinstance(details.get(kind), dict):
            details[kind] = {"count": len(details[kind])}
    if not settings.endpoint:
        confinement = probe(settings.query_memory)
        details["query_workers"] = {
            "network": confinement.network or f"not isolated: {confinement.reason}",
            "memory_mb": settings.query_memory or None, "sandbox": settings.query_sandbox}
    _print_json(details)


if __name__ == "__main__":
    app()
