"""Tables as downloadable spreadsheets: CSV with the csv module, XLSX with openpyxl.

Every exported text cell goes through `plain_text_cell`, here and in the admin's list
exports (bookings/wagtail_hooks.py), so nothing a participant typed can become a formula.
"""

import csv
import io

from django.http import HttpResponse
from openpyxl import Workbook

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# A spreadsheet reads a cell that starts with one of these as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def plain_text_cell(value):
    """`value`, with text that a spreadsheet would run as a formula turned into plain text.

    The leading single quote is what OWASP recommends: Excel and LibreOffice show the text as
    typed and never evaluate it, also once the CSV is opened and saved again. Numbers and dates
    are left alone, so a negative amount stays a number.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_response(rows: list[list], *, filename: str, file_format: str) -> HttpResponse:
    rows = [[plain_text_cell(value) for value in row] for row in rows]
    if file_format == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        content = buffer.getvalue().encode("utf-8")
    else:
        workbook = Workbook()
        sheet = workbook.active
        for row in rows:
            sheet.append(row)
        output = io.BytesIO()
        workbook.save(output)
        content = output.getvalue()
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
