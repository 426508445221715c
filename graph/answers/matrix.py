"""/analytics for people: the product × market matrix coloured by status (what exporters ask
for), reach per product, the pending frontier and centrality, in the asked language; and the
matrix as CSV and as an Excel file with the same localised headers. It reads the numbers
`analytics.stats` gives (the JSON of /analytics), so the page and the JSON never disagree."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from babel.numbers import format_decimal

from graph.answers.check import VET_SCHEME, status_label, vocabulary
from graph.answers.messages import ANALYTICS, HS, LANGUAGE_NAMES, NAV, count, words
from graph.answers.resolve import product_index
from graph.answers.statuses import access_roles
from graph.answers.views import ROLE_COLOURS
from graph.namespaces import PRODUCT
from graph.store.backends import Store


def table(store: Store, lang: str, result: dict[str, Any]) -> dict[str, Any]:
    """The matrix: one row per product that reaches a market, one column per market with
    records; each cell the status the check gives there (and the group it comes from)."""
    w = words(lang, ANALYTICS)
    index = product_index(store)
    markets = [(m["market"], m["label"]) for m in result["markets"]]
    labels: dict[str, str] = {}
    rows = []
    for p in sorted(result["products"], key=lambda p: (-p["markets"], p["label"])):
        iri = str(PRODUCT[p["product"]])
        cells = []
        for code, _label in markets:
            found = p["by_market"].get(code)
            if not found:
                cells.append(None)
                continue
            status = found["status"]
            labels.setdefault(status, status_label(store, status, lang))
            via = index.label(str(PRODUCT[found["via"]]), lang) if found["via"] else None
            cells.append({"status": status, "label": labels[status],
                          "role": access_roles(store).get(status, "unknown"),
                          "via": w["via"].format(via=via) if via else None})
        rows.append({"id": p["product"], "label": p["label"], "markets": p["markets"],
                     "hs": ", ".join(index.codes.get(iri, [])), "cells": cells})
    return {"headers": [w["product"], w["hs"], *(label for _, label in markets)],
            "markets": markets, "rows": rows}


def _cell_text(cell: dict | None) -> str:
    if not cell:
        return ""
    return f"{cell['label']} ({cell['via']})" if cell["via"] else cell["label"]


def as_csv(matrix: dict[str, Any]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens Kazakh and Russian text as such."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(matrix["headers"])
    for row in matrix["rows"]:
        writer.writerow([row["label"], row["hs"], *(_cell_text(c) for c in row["cells"])])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(matrix: dict[str, Any], lang: str) -> bytes:
    """One sheet, the header row bold and frozen, each cell filled in its status's colour."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = words(lang, ANALYTICS)["matrix"][:31]
    sheet.append(matrix["headers"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in matrix["rows"]:
        sheet.append([row["label"], row["hs"], *(_cell_text(c) for c in row["cells"])])
        for column, cell in enumerate(row["cells"], start=3):
            if cell:
                colour = ROLE_COLOURS.get(cell["role"], ROLE_COLOURS["unknown"]).lstrip("#")
                target = sheet.cell(row=sheet.max_row, column=column)
                target.fill = PatternFill("solid", fgColor=colour)
                target.font = Font(color="FFFFFF")
    sheet.freeze_panes = "C2"
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 14
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def page(store: Store, lang: str, result: dict[str, Any]) -> dict[str, Any]:
    """The template context of the analytics page."""
    w = words(lang, NAV, ANALYTICS)
    vet = {code: v.get(lang, code) for code, v in vocabulary(store).get(VET_SCHEME, {}).items()}
    most = max((p["markets"] for p in result["products"]), default=1) or 1
    reach = [{"label": p["label"], "id": p["product"], "markets": p["markets"],
              "width": round(100 * p["markets"] / most, 1),
              "explore": "/explore?" + urlencode({"product": p["product"], "lang": lang})}
             for p in result["products"]]
    pending = [{"product": p["product_label"], "market": p["market_label"],
                "status": status_label(store, p["status"], lang),
                "role": access_roles(store).get(p["status"], "unknown"),
                "vet": vet.get(p["veterinary_requirements"] or "", "") if
                p["veterinary_requirements"] else "",
                "explore": "/explore?" + urlencode({"product": p["product"], "market": p["market"],
                                                    "lang": lang})}
               for p in result["pending"]]
    top = max((c["betweenness"] for c in result["centrality"]), default=0) or 1
    centrality = [c | {"kind_label": w[f"kind_{c['kind']}"],
                       "width": round(100 * c["betweenness"] / top, 1),
                       "betweenness_text": format_decimal(c["betweenness"], "0.000", locale=lang),
                       "degree_text": format_decimal(c["degree"], "0.000", locale=lang)}
                  for c in result["centrality"][:15]]
    counts = result["counts"]
    legend = [(role, ROLE_COLOURS[role], status_label(store, code, lang))
              for code, role in access_roles(store).items()]
    return {
        "lang": lang, "words": w, "nav": w, "hs": HS[lang], "matrix": table(store, lang, result),
        "reach": reach, "pending": pending, "centrality": centrality, "legend": legend,
        "intro": w["intro"].format(products=count(counts["products"], "product", lang),
                                   markets=count(counts["markets"], "market", lang),
                                   records=count(counts["records"], "record", lang)),
        "languages": LANGUAGE_NAMES,
        "switch": {code: "/analytics?" + urlencode({"lang": code}) for code in LANGUAGE_NAMES},
        "downloads": {s: f"/analytics/matrix.{s}?" + urlencode({"lang": lang})
                      for s in ("csv", "xlsx")},
    }
