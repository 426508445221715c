"""Mechanical check of the curated 'other markets' data against DATA-SCHEMA.md (issue 12).

Not project code: a curator's check to run before committing graph/data/ changes, so that
the build's own checks (written in parallel) find nothing new. Run from the repository root:
`python3 docs/research/check_curated_other.py`. Exits 1 and lists every problem found.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "graph" / "data"
LANGS = {"kk", "ru", "en"}
STATUSES = {"open", "requirements-agreed", "requirements-planned", "restriction-lifted", "restricted"}
DATE_RE = {"year": r"\d{4}", "month": r"\d{4}-\d{2}", "day": r"\d{4}-\d{2}-\d{2}"}
RECORD_COLS = (
    "id,exporter,market,product,status,vet_status,effective,effective_precision,statements,inferred,note"
)
MEASURE_COLS = (
    "id,exporter,kind,products,markets,start,start_precision,end,end_precision,quantity,unit,"
    "statements,inferred,note"
)

problems: list[str] = []
warnings: list[str] = []


def fold(text: str) -> str:
    """Whitespace-normalise as the build does."""
    return " ".join(text.split())


def date_ok(value: str, precision: str) -> bool:
    return precision in DATE_RE and re.fullmatch(DATE_RE[precision], value) is not None


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_yaml(path: Path) -> dict:
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def main() -> int:
    hs = {row["hscode"] for row in read_csv(ROOT / "graph/reference/hs2022.csv")}
    products = read_csv(DATA / "products.csv")
    product_ids = {p["id"] for p in products}
    if len(product_ids) != len(products):
        problems.append("products.csv: duplicate product ids")

    seed = read_yaml(DATA / "sources.yaml")
    ids: dict[str, str] = {}
    statements: dict[str, str] = {}
    reasons: set[str] = set()

    def claim(kind: str, ident: str, where: str) -> None:
        key = f"{kind}:{ident}"
        if key in ids:
            problems.append(f"{where}: {kind} id {ident!r} also in {ids[key]}")
        ids[key] = where

    for d in seed.get("documents", []):
        claim("document", d["id"], "sources.yaml")
    for a in seed.get("agents", []):
        claim("agent", a["id"], "sources.yaml")
    for r in seed.get("roles", []):
        claim("role", r["id"], "sources.yaml")
    for name in seed.get("inferences", {}):
        claim("reason", name, "sources.yaml")
        reasons.add(name)
    for s in seed.get("statements", []):
        claim("statement", s["id"], "sources.yaml")
        statements[s["id"]] = "sources.yaml"
    agents = {a["id"] for a in seed.get("agents", [])}
    roles = {r["id"] for r in seed.get("roles", [])}

    pending_sources: list[tuple[str, str, list[str]]] = []
    pending_refs: list[tuple[str, str]] = []
    for path in sorted((DATA / "sources").glob("*.yaml")):
        where = f"sources/{path.name}"
        doc = read_yaml(path)
        meta = doc["document"]
        claim("document", meta["id"], where)
        if path.stem != meta["id"] or meta["file_name"] != f"{meta['id']}.txt":
            problems.append(f"{where}: file name, id and file_name disagree")
        if not re.fullmatch(r"[a-z0-9-]+", meta["id"]):
            problems.append(f"{where}: id not [a-z0-9-]")
        lang = meta["language"]
        if lang not in LANGS:
            problems.append(f"{where}: language {lang!r}")
        if not date_ok(str(meta["published"]), meta["published_precision"]):
            problems.append(f"{where}: published {meta['published']!r} vs {meta['published_precision']}")
        if set(meta["label"]) != LANGS:
            problems.append(f"{where}: label needs kk, ru, en")
        for ref in meta.get("inferred") or []:
            pending_refs.append((where, ref))
        text_path = DATA / "documents" / meta["file_name"]
        if not text_path.exists():
            problems.append(f"{where}: missing documents/{meta['file_name']}")
            text = ""
        else:
            text = fold(text_path.read_text(encoding="utf-8"))
        if fold(meta["label"][lang]) not in text:
            warnings.append(f"{where}: the title (label.{lang}) is not in the stored text")
        for a in doc.get("agents") or []:
            claim("agent", a["id"], where)
            agents.add(a["id"])
            if set(a["label"]) != LANGS:
                problems.append(f"{where}: agent {a['id']} label needs kk, ru, en")
        for r in doc.get("roles") or []:
            claim("role", r["id"], where)
            roles.add(r["id"])
            if set(r["label"]) != LANGS:
                problems.append(f"{where}: role {r['id']} label needs kk, ru, en")
        for name, reason in (doc.get("inferences") or {}).items():
            claim("reason", name, where)
            reasons.add(name)
            if not set(reason) >= LANGS:
                problems.append(f"{where}: reason {name} needs en, ru, kk")
            pending_sources.append((where, name, reason.get("sources") or []))
        for s in doc.get("statements") or []:
            claim("statement", s["id"], where)
            statements[s["id"]] = where
            if fold(s["quote"]) not in text:
                problems.append(f"{where}: quote of {s['id']} not in documents/{meta['file_name']}")
            if set(s["translation"]) != LANGS - {lang}:
                problems.append(f"{where}: {s['id']} translations must be {sorted(LANGS - {lang})}")
            if s.get("speaker") and s["speaker"] not in agents:
                pending_refs.append((where, f"agent={s['speaker']}"))
            if s.get("role") and s["role"] not in roles:
                pending_refs.append((where, f"role={s['role']}"))
            if not isinstance(s.get("direct_speech"), bool):
                problems.append(f"{where}: {s['id']} direct_speech must be true or false")

    for where, name, sources in pending_sources:
        if not sources:
            problems.append(f"{where}: reason {name} lists no sources")
        for sid in sources:
            if sid not in statements:
                problems.append(f"{where}: reason {name} cites unknown statement {sid}")
    for where, ref in pending_refs:
        field, _, value = ref.partition("=")
        if field == "agent" and value not in agents:
            problems.append(f"{where}: unknown agent {value}")
        elif field == "role" and value not in roles:
            problems.append(f"{where}: unknown role {value}")
        elif field not in {"agent", "role"} and value not in reasons:
            problems.append(f"{where}: inferred {ref} names no reason")

    def check_inferred(where: str, value: str) -> None:
        for ref in value.split():
            _, _, reason = ref.partition("=")
            if reason not in reasons:
                problems.append(f"{where}: inferred {ref} names no reason")

    for p in products:
        where = f"products.csv:{p['id']}"
        for b in p["broader"].split():
            if b not in product_ids:
                problems.append(f"{where}: broader {b} unknown")
        for code in p["hs"].split():
            if code not in hs:
                problems.append(f"{where}: HS {code} not in hs2022.csv")
        for col in ("label_kk", "label_ru", "label_en", "definition_en"):
            if not p[col]:
                problems.append(f"{where}: {col} empty")
        check_inferred(where, p["inferred"])

    record_ids: set[str] = set()
    for path in sorted((DATA / "records").glob("*.csv")):
        lines = path.read_text(encoding="utf-8").splitlines()
        if lines[0] != RECORD_COLS:
            problems.append(f"records/{path.name}: header is not {RECORD_COLS}")
        for n, row in enumerate(csv.DictReader(lines), start=2):
            where = f"records/{path.name}:{n}"
            if None in row or any(v is None for v in row.values()):
                problems.append(f"{where}: wrong number of columns")
                continue
            if row["id"] in record_ids:
                problems.append(f"{where}: duplicate id {row['id']}")
            record_ids.add(row["id"])
            expected = f"kz-{row['market'].lower()}-{row['product']}-{row['effective']}"
            if not re.fullmatch(re.escape(expected) + r"(-\d+)?", row["id"]):
                problems.append(f"{where}: id should be {expected}[-n]")
            if row["product"] not in product_ids:
                problems.append(f"{where}: product {row['product']} unknown")
            if row["status"] not in STATUSES:
                problems.append(f"{where}: status {row['status']} not defined")
            if row["vet_status"] not in {"", "agreed", "planned"}:
                problems.append(f"{where}: vet_status {row['vet_status']}")
            if not date_ok(row["effective"], row["effective_precision"]):
                problems.append(f"{where}: effective {row['effective']} vs {row['effective_precision']}")
            for sid in row["statements"].split() or ["(none)"]:
                if sid not in statements:
                    problems.append(f"{where}: statement {sid} unknown")
            check_inferred(where, row["inferred"])

    measures = DATA / "measures.csv"
    if measures.exists():
        lines = measures.read_text(encoding="utf-8").splitlines()
        if lines[0] != MEASURE_COLS:
            problems.append(f"measures.csv: header is not {MEASURE_COLS}")
        seen: set[str] = set()
        for n, row in enumerate(csv.DictReader(lines), start=2):
            where = f"measures.csv:{n}"
            if None in row or any(v is None for v in row.values()):
                problems.append(f"{where}: wrong number of columns")
                continue
            if row["id"] in seen:
                problems.append(f"{where}: duplicate id {row['id']}")
            seen.add(row["id"])
            if row["kind"] not in {"ban", "quota"}:
                problems.append(f"{where}: kind {row['kind']}")
            for pid in row["products"].split():
                if pid not in product_ids:
                    problems.append(f"{where}: product {pid} unknown")
            for m in row["markets"].split():
                if m != "ALL" and m != "EAEU" and not re.fullmatch(r"[A-Z]{2}", m):
                    problems.append(f"{where}: market {m}")
            if not date_ok(row["start"], row["start_precision"]):
                problems.append(f"{where}: start {row['start']} vs {row['start_precision']}")
            if row["end"] and not date_ok(row["end"], row["end_precision"]):
                problems.append(f"{where}: end {row['end']} vs {row['end_precision']}")
            if row["kind"] == "quota" and not (row["quantity"] and row["unit"]):
                problems.append(f"{where}: a quota needs quantity and unit")
            for sid in row["statements"].split() or ["(none)"]:
                if sid not in statements:
                    problems.append(f"{where}: statement {sid} unknown")
            check_inferred(where, row["inferred"])

    for w in warnings:
        print("note:", w)
    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s); {len(statements)} statements, {len(record_ids)} records")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
