"""Checks of uploaded invoice PDFs, with French messages."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

INVOICE_PDF_MAX_BYTES = 5 * 1024 * 1024


def validate_invoice_pdf(upload: UploadedFile) -> None:
    """A real, readable PDF of at most 5 Mo: the extension and the browser's type prove nothing."""
    if upload.size is not None and upload.size > INVOICE_PDF_MAX_BYTES:
        raise ValidationError(_("Le fichier dépasse 5 Mo : envoyez un PDF plus léger."), code="pdf_size")
    from pypdf import PdfReader

    try:
        upload.seek(0)
        if upload.read(5) != b"%PDF-":
            raise ValidationError(_("Ce fichier n’est pas un PDF."), code="pdf_magic")
        upload.seek(0)
        try:
            # pypdf raises many exception types on damaged files; any of them means unreadable.
            page_count = len(PdfReader(upload).pages)
        except Exception:
            page_count = 0
        if page_count == 0:
            raise ValidationError(
                _("Ce PDF est illisible ou endommagé : exportez-le à nouveau."), code="pdf_unreadable"
            )
    finally:
        upload.seek(0)
