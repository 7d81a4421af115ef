"""Imports into the books: e-invoices (Factur-X, CII, UBL), over the same functions as the pages."""

from typing import Any

from django.http import HttpRequest
from ninja import File, Router, UploadedFile
from ninja.responses import Status

from api.auth import actor_of, business_of, token_auth
from api.ledger import InvoiceOut
from api.schemas import WRITE_ERRORS
from imports import einvoice

router = Router(auth=token_auth)


# E-invoices


@router.post(
    "/imports/einvoice",
    response={201: InvoiceOut, 200: InvoiceOut, **WRITE_ERRORS},
    operation_id="importEInvoice",
    summary="Importer une facture électronique",
    description=(
        "Un fichier (multipart, champ `file`) : une facture Factur-X (PDF), CII ou UBL 2.1 (XML) émise par "
        "votre entreprise. 201 et la facture créée (avec son client, créé au besoin, et le PDF d’origine) ; "
        "200 et la facture déjà enregistrée, complétée de ce qui lui manquait (PDF, conditions de paiement) "
        "ou inchangée. Un avoir est enregistré sur la facture qu’il cite, renvoyée en 200. "
        "422 pour un fichier illisible, un autre vendeur, une autre devise ou une règle des factures ; "
        "409 pour un numéro déjà enregistré avec un contenu différent."
    ),
    tags=["Imports"],
)
def import_einvoice(request: HttpRequest, file: File[UploadedFile]) -> Any:
    # One byte past the bound is enough to know the file is too large.
    content = file.read(einvoice.MAX_FILE_BYTES + 1)
    if content.startswith(b"PK\x03\x04"):
        raise einvoice.refusal("Une archive ZIP s’importe depuis la page d’import : envoyez ici un fichier à la fois.")
    invoice, outcome = einvoice.import_einvoice(
        business=business_of(request), actor=actor_of(request), name=file.name or "facture", content=content
    )
    return Status(201 if outcome == "created" else 200, invoice)
