"""Checks of uploaded invoice PDFs, with French messages."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from core.formats import NARROW_NBSP, group_thousands

INVOICE_PDF_MAX_BYTES = 5 * 1024 * 1024
INVOICE_PDF_MAX_PAGES = 500
# Opening a PDF reads its whole cross-reference index. A classic table takes 20 bytes an entry
# (at most 262,144 in 5 Mo); a compressed index stream could declare millions in as many bytes.
# A 500-page invoice, even scanned, has a few thousand objects.
INVOICE_PDF_MAX_OBJECTS = 100_000
PAGE_TREE_MAX_DEPTH = 32


def validate_invoice_pdf(upload: UploadedFile[bytes]) -> None:
    """A real, readable PDF of at most 5 Mo and 500 pages: the extension and the browser's type prove nothing.

    The page count is the page tree's own /Count, and only the path to the first page is read:
    walking every page of a 5 Mo file of 55,000 empty pages takes seconds.
    """
    if upload.size is not None and upload.size > INVOICE_PDF_MAX_BYTES:
        raise ValidationError(_("Le fichier dépasse 5 Mo : envoyez un PDF plus léger."), code="pdf_size")
    from pypdf import PdfReader

    unreadable = ValidationError(_("Ce PDF est illisible ou endommagé : exportez-le à nouveau."), code="pdf_unreadable")
    try:
        upload.seek(0)
        if upload.read(5) != b"%PDF-":
            raise ValidationError(_("Ce fichier n’est pas un PDF."), code="pdf_magic")
        upload.seek(0)
        try:
            reader = PdfReader(upload, xref_stream_maximum_entries=INVOICE_PDF_MAX_OBJECTS)
            root: Any = reader.trailer["/Root"]
            page_tree = root["/Pages"]
            page_count = page_tree["/Count"]
            has_a_page = _first_page_exists(page_tree)
        except Exception:
            # pypdf raises many exception types on damaged files; any of them means unreadable.
            raise unreadable from None
        if not isinstance(page_count, int) or page_count <= 0 or not has_a_page:
            raise unreadable
        if page_count > INVOICE_PDF_MAX_PAGES:
            raise ValidationError(
                _("Ce PDF compte %(count)s pages : une facture en compte au plus %(max)s. Joignez la facture seule.")
                % {"count": group_thousands(str(page_count), NARROW_NBSP), "max": INVOICE_PDF_MAX_PAGES},
                code="pdf_pages",
            )
    finally:
        upload.seek(0)


def _first_page_exists(node: Any) -> bool:
    """Down the first branch of the page tree to a leaf: a /Page, not a loop nor an empty tree."""
    for _depth in range(PAGE_TREE_MAX_DEPTH):
        kids = node.get("/Kids")
        # Some producers leave /Type out: a node with kids is then a branch, as pypdf reads it.
        node_type = node.get("/Type", "/Pages" if kids is not None else "/Page")
        if node_type == "/Page":
            return True
        if node_type != "/Pages" or not kids:
            return False
        node = kids[0].get_object()
    return False
