"""Mechanical check of the curated dated data (research tool, not part of the build).

Run from the repository root: python3 docs/research/check_curated.py
Checks: each statement's quote is in its document's excerpt (whitespace folded); ids are
unique across sources.yaml and sources/*.yaml (documents, agents, roles, reasons, statements)
and across records/*.csv; every statement cited by a record exists; every product exists;
every HS code of products.csv exists in graph/reference/hs2022.csv; every REASON of an
`inferred` entry exists and has en/ru/kk; every reason's `sources` exist.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "graph" / "data"
STATUSES = {"open", "requirements-agreed", "requirements-planned", "restriction-lifted", "restricted"}
LANGS = {"kk", "ru", "en"}


def fold(text: str) -> str:
    return " ".join(text.split())


def main() -> int:
    errors: list[str] = []
    ids: Counter[str] = Counter()
    statements: dict[str, str] = {}
    reasons: dict[str, dict] = {}
    base = yaml.safe_load((DATA / "sources.yaml").read_text(encoding="utf-8"))
    for key in ("documents", "meetings", "agents", "roles", "statements"):
        for item in base.get(key) or []:
            ids[item["id"]] += 1
            if key == "statements":
                statements[item["id"]] = "sources.yaml"
    for rid, body in (base.get("inferences") or {}).items():
        ids[rid] += 1
        reasons[rid] = body
    for path in sorted((DATA / "sources").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        d = doc["document"]
        ids[d["id"]] += 1
        if d["file_name"] != d["id"] + ".txt" or path.stem != d["id"]:
            errors.append(f"{path.name}: id/file_name/file stem differ")
        if d["language"] not in LANGS:
            errors.append(f"{path.name}: language {d['language']!r}")
        if set(d["label"]) != LANGS:
            errors.append(f"{path.name}: label needs kk, ru, en")
        precision = {4: "year", 7: "month", 10: "day"}.get(len(str(d["published"])))
        if precision != d["published_precision"]:
            errors.append(f"{path.name}: published {d['published']} vs precision {d['published_precision']}")
        text_path = DATA / "documents" / d["file_name"]
        if not text_path.exists():
            errors.append(f"{path.name}: missing {text_path.name}")
            continue
        text = fold(text_path.read_text(encoding="utf-8"))
        for key in ("agents", "roles"):
            for item in doc.get(key) or []:
                ids[item["id"]] += 1
        for rid, body in (doc.get("inferences") or {}).items():
            ids[rid] += 1
            reasons[rid] = body
        for entry in d.get("inferred") or []:
            reasons.setdefault("__used__", {}).setdefault(entry.split("=", 1)[1], path.name)
        for st in doc.get("statements") or []:
            ids[st["id"]] += 1
            statements[st["id"]] = path.name
            if fold(st["quote"]) not in text:
                errors.append(f"{path.name}: quote of {st['id']} not in {text_path.name}")
            want = LANGS - {d["language"]}
            if set(st.get("translation") or {}) != want:
                errors.append(f"{path.name}: {st['id']} translations must be {sorted(want)}")
    used = reasons.pop("__used__", {})
    for rid, body in reasons.items():
        if not set(body) >= LANGS:
            errors.append(f"reason {rid}: needs en, ru, kk")
        for sid in body.get("sources") or []:
            if sid not in statements:
                errors.append(f"reason {rid}: source {sid} is not a statement")
    for rid, where in used.items():
        if rid not in reasons:
            errors.append(f"{where}: reason {rid} not defined")
    products: dict[str, dict] = {}
    hs_file = ROOT / "graph" / "reference" / "hs2022.csv"
    hs = {row["hscode"] for row in csv.DictReader(hs_file.open(encoding="utf-8"))}
    for row in csv.DictReader((DATA / "products.csv").open(encoding="utf-8")):
        if row["id"] in products:
            errors.append(f"products.csv: duplicate {row['id']}")
        products[row["id"]] = row
        for code in row["hs"].split():
            if code not in hs:
                errors.append(f"products.csv {row['id']}: HS {code} not in hs2022.csv")
        for entry in row["inferred"].split():
            if entry.split("=", 1)[1] not in reasons:
                errors.append(f"products.csv {row['id']}: reason {entry} not defined")
    for row in products.values():
        for b in row["broader"].split():
            if b not in products:
                errors.append(f"products.csv {row['id']}: broader {b} unknown")
    record_ids: Counter[str] = Counter()
    columns = ["id", "exporter", "market", "product", "status", "vet_status", "effective",
               "effective_precision", "statements", "inferred", "note"]
    for path in sorted((DATA / "records").glob("*.csv")):
        reader = csv.DictReader(path.open(encoding="utf-8"))
        if reader.fieldnames != columns:
            errors.append(f"{path.name}: columns {reader.fieldnames}")
        for n, row in enumerate(reader, start=2):
            where = f"{path.name}:{n}"
            record_ids[row["id"]] += 1
            if row["product"] not in products:
                errors.append(f"{where}: product {row['product']} unknown")
            if row["status"] not in STATUSES:
                errors.append(f"{where}: status {row['status']} not in the five")
            if row["vet_status"] not in {"", "agreed", "planned"}:
                errors.append(f"{where}: vet_status {row['vet_status']}")
            precision = {4: "year", 7: "month", 10: "day"}.get(len(row["effective"]))
            if precision != row["effective_precision"]:
                errors.append(f"{where}: effective {row['effective']} vs {row['effective_precision']}")
            if not row["statements"].split():
                errors.append(f"{where}: no statements")
            for sid in row["statements"].split():
                if sid not in statements:
                    errors.append(f"{where}: statement {sid} unknown")
            for entry in row["inferred"].split():
                if entry.split("=", 1)[1] not in reasons:
                    errors.append(f"{where}: reason {entry} not defined")
            stem = f"kz-{row['market'].lower()}-{row['product']}-{row['effective']}"
            if not row["id"].startswith(stem):
                errors.append(f"{where}: id {row['id']} does not start with {stem}")
    for name, count in list(ids.items()) + list(record_ids.items()):
        if count > 1:
            errors.append(f"id {name} used {count} times")
    for e in errors:
        print(e)
    print(f"{len(statements)} statements, {len(reasons)} reasons, {sum(record_ids.values())} records, "
          f"{len(products)} products: {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
