"""Reading back what the exports write: CSV as French Excel reads it, XLSX with openpyxl."""

import csv
import io
from typing import Any

import openpyxl


def response_bytes(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def read_csv(raw: bytes) -> list[list[str]]:
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


def read_xlsx(raw: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(raw)).worksheets[0]
