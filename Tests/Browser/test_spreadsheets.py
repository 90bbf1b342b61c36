"""Reports and exports as the spreadsheets donors and coordinators open (issue 15): every
report's CSV and XLSX, read with Python's csv module and openpyxl, hold the same figures as its
JSON; an XLSX has a frozen header row and amounts as #,##0.00 number cells; an export opened in
openpyxl has the columns imports read."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

REPORTS = ["portfolio", "grants", "outcomes", "training"]


def is_amount(value) -> bool:
    """Amounts are answered as decimal strings with the currency's two decimals."""
    if not isinstance(value, str) or "." not in value:
        return False
    whole, _, cents = value.lstrip("-").partition(".")
    return whole.isdigit() and cents.isdigit() and len(cents) == 2


def same(cell, value) -> bool:
    """A spreadsheet cell holds the JSON's value: amounts (decimal strings) to the cent, counts
    exactly, ratios to their 6 decimals, null as an empty cell."""
    if value is None:
        return cell in (None, "")
    if isinstance(value, bool):
        return str(cell).lower() in ("yes", "true") if value else str(cell).lower() in ("no", "false")
    if isinstance(value, (int, float)):
        return cell not in (None, "") and abs(Decimal(str(cell)) - Decimal(str(value))) < Decimal("0.0000005")
    if is_amount(value):
        return cell not in (None, "") and Decimal(str(cell)).quantize(Decimal("0.01")) == Decimal(value)
    return str(cell) == value


@pytest.mark.parametrize("report", REPORTS)
def test_report_spreadsheets_hold_the_json_figures(ravnaq, api, report):
    officer = ravnaq.token("grant_officer")
    path = f"/api/v1/reports/{report}?by=programme"
    answer = api(officer, "GET", path)
    assert answer.status == 200, answer.text
    data = answer.json()
    rows = data["rows"]
    assert rows, f"the demo's {report} report has rows"

    csv_answer = api(officer, "GET", path + "&format=csv")
    assert csv_answer.status == 200
    assert csv_answer.headers["Content-Type"].startswith("text/csv")
    assert csv_answer.body.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    table = list(csv.reader(io.StringIO(csv_answer.body.decode("utf-8-sig"))))
    headers, body = table[0], table[1:]
    for row, line in zip(rows, body):
        for header, cell in zip(headers, line):
            assert same(cell, row.get(header)), f"{report} CSV {header}: {cell!r} against {row.get(header)!r}"
    assert body[len(rows)][0] == "total"

    xlsx_answer = api(officer, "GET", path + "&format=xlsx")
    assert xlsx_answer.status == 200
    assert "attachment; filename=" in xlsx_answer.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx_answer.body))
    currencies = sorted({row["currency"] for row in rows if row.get("currency")})
    if len(currencies) > 1:
        assert len(book.worksheets) == len(currencies), "one sheet per currency"
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        lines = list(sheet.iter_rows(values_only=True))
        headers = list(lines[0])
        own = [r for r in rows if len(book.worksheets) == 1 or sheet.title.endswith(r["currency"])]
        for row, line in zip(own, lines[1:]):
            for header, cell in zip(headers, line):
                assert same(cell, row.get(header)), f"{report} XLSX {sheet.title} {header}: {cell!r} against {row.get(header)!r}"
        for column, header in enumerate(headers):
            if own and is_amount(own[0].get(header)):
                cell = sheet.cell(row=2, column=column + 1)
                assert cell.data_type == "n" and cell.number_format == "#,##0.00", f"{header} is an amount cell"
        assert lines[len(own) + 1][0] == "total"


def test_a_families_export_opens_in_openpyxl_with_the_import_columns(ravnaq, api):
    coordinator = ravnaq.token("coordinator")
    answer = api(coordinator, "GET", "/api/v1/exports/families?format=xlsx")
    assert answer.status == 200, answer.text
    book = openpyxl.load_workbook(io.BytesIO(answer.body), read_only=True)
    lines = list(book.worksheets[0].iter_rows(values_only=True))
    assert list(lines[0]) == ["family_code", "region", "district", "mahalla", "categories", "registry_ref", "consent_on",
                              "full_name", "sex", "birth_date", "relation", "pinfl", "disability", "works"]
    codes = {line[0] for line in lines[1:]}
    families = api(coordinator, "GET", "/api/v1/families?limit=500").json()
    assert codes >= {item["code"] for item in families["items"]}
