"""File responses of the exports, shared by the pages and the API.

A CSV streams: rows are read from one query and sent a chunk at a time, so a large list starts
downloading at once and the server's memory does not grow with it. An XLSX is written to an
anonymous temporary file (openpyxl's write-only mode keeps no rows), then sent from disk.
"""

import tempfile
from collections.abc import Sequence

from django.http import FileResponse, Http404, StreamingHttpResponse

from exports.models import AccountExport
from exports.spreadsheet import Sheet, csv_chunks, write_xlsx

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"
FORMATS = ("csv", "xlsx")


def csv_response(sheet: Sheet, stem: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_chunks(sheet), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    return response


def xlsx_response(sheets: Sequence[Sheet], stem: str) -> FileResponse:
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    write_xlsx(sheets, handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{stem}.xlsx", content_type=XLSX_TYPE)


def sheet_response(sheet: Sheet, stem: str, file_format: str) -> StreamingHttpResponse | FileResponse:
    if file_format == "xlsx":
        return xlsx_response([sheet], stem)
    return csv_response(sheet, stem)


def account_export_file(export: AccountExport) -> FileResponse:
    """The ZIP of a finished export (pages and API); 404 while it is not ready."""
    if export.status != AccountExport.Status.DONE:
        raise Http404("Export introuvable.")
    try:
        handle = export.zip_file.storage.open(export.zip_file.name or "", "rb")
    except (OSError, ValueError):
        raise Http404("Fichier d’export introuvable.") from None
    return FileResponse(handle, as_attachment=True, filename=export.download_name, content_type="application/zip")
