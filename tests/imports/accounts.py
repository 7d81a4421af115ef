"""Full-account exports written by the tests, in the documented format (docs/account-archive.md)."""

import io
import json
import zipfile
from typing import Any

from tests.factories import pdf_bytes


def account(**overrides: Any) -> dict[str, Any]:
    """A small account: two clients (one paused until a past day), four invoices (one paid in
    part, one credited, one cancelled, one disputed and paused), with a PDF for the first."""
    data: dict[str, Any] = {
        "format": "relance-account",
        "version": 1,
        "exported_at": "2026-11-27T18:30:00+01:00",
        "business": {
            "legal_name": "Atelier Restauré",
            "siret": "73282932000074",
            "vat_status": "franchise",
            "payment_terms": "days_30",
            "bucket_bounds": "15,45,90",
            "bucket_basis": "due_date",
            "penalty_terms": "legal",
        },
        "clients": [
            {
                "id": 11, "kind": "business", "name": "Boulangerie Dupain", "contact_name": "Jeanne Dupain",
                "email": "compta@dupain.test", "phone": "01 02 03 04 05", "address_line1": "8 rue du Four",
                "address_line2": "", "postal_code": "75006", "city": "Paris", "country": "France",
                "siren": "552100554", "notes": "Paie toujours en retard.", "reminders_paused": False,
                "pause_reason": "", "pause_until": None,
            },
            {
                "id": 12, "kind": "consumer", "name": "Paul Martin", "contact_name": "", "email": "", "phone": "",
                "address_line1": "1 place du Marché", "address_line2": "Bât. B", "postal_code": "69002",
                "city": "Lyon", "country": "France", "siren": "", "notes": "", "reminders_paused": True,
                "pause_reason": "Échéancier accordé", "pause_until": "2026-01-31",
            },
        ],
        "invoices": [
            {
                "id": 101, "client_id": 11, "number": "F-2026-001", "issue_date": "2026-06-01",
                "due_date": "2026-07-01", "total_excl_tax": "1200.00", "vat_amount": "0.00",
                "total_incl_tax": "1200.00", "amount_due": "700.00", "status": "late", "pdf": "pdfs/F-2026-001.pdf",
                "notes": "", "cancelled_at": None, "cancel_reason": "", "disputed": False, "dispute_reason": "",
                "reminders_paused_until": None,
            },
            {
                "id": 102, "client_id": 11, "number": "F-2026-002", "issue_date": "2026-09-15",
                "due_date": "2026-10-15", "total_excl_tax": "450.50", "vat_amount": "0.00",
                "total_incl_tax": "450.50", "amount_due": "400.50", "status": "late", "pdf": None, "notes": "Acompte",
                "cancelled_at": None, "cancel_reason": "", "disputed": True, "dispute_reason": "Livraison incomplète",
                "reminders_paused_until": "2027-01-15",
            },
            {
                "id": 103, "client_id": 12, "number": "F-2026-003", "issue_date": "2026-08-01",
                "due_date": "2026-08-31", "total_excl_tax": "300.00", "vat_amount": "0.00",
                "total_incl_tax": "300.00", "amount_due": "300.00", "status": "cancelled", "pdf": None, "notes": "",
                "cancelled_at": "2026-09-02T09:15:00+00:00", "cancel_reason": "Erreur de destinataire",
                "disputed": False, "dispute_reason": "", "reminders_paused_until": None,
            },
            {
                "id": 104, "client_id": 12, "number": "F-2026-004", "issue_date": "2026-11-01",
                "due_date": "2026-12-15", "total_excl_tax": "80.00", "vat_amount": "0.00",
                "total_incl_tax": "80.00", "amount_due": "80.00", "status": "not_due", "pdf": None, "notes": "",
                "cancelled_at": None, "cancel_reason": "", "disputed": False, "dispute_reason": "",
                "reminders_paused_until": None,
            },
        ],
        "payments": [
            {"id": 1, "invoice_id": 101, "date": "2026-07-20", "amount": "300.00", "method": "transfer", "reference": "VIR 1"},
            {"id": 2, "invoice_id": 101, "date": "2026-08-20", "amount": "200.00", "method": "cheque", "reference": ""},
        ],
        "credit_notes": [
            {"id": 1, "invoice_id": 102, "number": "AV-2026-001", "date": "2026-10-01", "amount": "50.00", "reason": "Remise"},
        ],
        "reminders": [],
        "audit": [],
    }  # fmt: skip
    data.update(overrides)
    return data


def archive(
    data: dict[str, Any] | None = None, files: dict[str, bytes] | None = None, raw_manifest: bytes | None = None
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zip_file:
        zip_file.writestr("account.json", raw_manifest if raw_manifest is not None else json.dumps(data or account()))
        for name, content in ({"pdfs/F-2026-001.pdf": pdf_bytes()} if files is None else files).items():
            zip_file.writestr(name, content)
    return buffer.getvalue()
