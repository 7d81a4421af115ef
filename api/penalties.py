"""POST /api/v1/penalties: the late-payment computation (Code de commerce L441-10, D441-5), as JSON.

No token needed: it exposes no tenant data. The body is read here rather than by a ninja
schema so that every bad input, whatever its shape, gets the same French 422 as the CLI.
"""

import json
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from law.penalties import compute_penalties, parse_penalty_request
from law.rates import LawError
from rates.tables import load_rate_tables

router = Router(tags=["Pénalités"])

_DECIMAL = {
    "oneOf": [{"type": "string", "pattern": r"^-?\d+([.,]\d+)?$"}, {"type": "number"}],
    "examples": ["1000.00"],
}
_DATE = {"type": "string", "format": "date", "examples": ["2025-06-15"]}
REQUEST_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "title": "PenaltyRequest",
                "type": "object",
                "required": ["amount", "due_date", "until", "debtor"],
                "properties": {
                    "amount": {**_DECIMAL, "description": "Montant TTC de la facture (> 0, deux décimales au plus)."},
                    "due_date": {**_DATE, "description": "Échéance de la facture."},
                    "until": {**_DATE, "description": "Date de calcul (paiement ou aujourd’hui)."},
                    "debtor": {"type": "string", "enum": ["business", "consumer"]},
                    "contract_rate": {
                        "anyOf": [_DECIMAL, {"type": "null"}],
                        "description": "Taux contractuel (% par an), professionnel seulement.",
                    },
                    "notice_date": {
                        "anyOf": [_DATE, {"type": "null"}],
                        "description": "Particulier : réception de la mise en demeure.",
                    },
                    "payments": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["date", "amount"],
                            "properties": {"date": _DATE, "amount": _DECIMAL},
                        },
                    },
                },
            },
            "example": {
                "amount": "1000.00",
                "due_date": "2025-06-15",
                "until": "2025-08-15",
                "debtor": "business",
                "payments": [],
            },
        }
    },
}


class SegmentOut(Schema):
    start: str
    end: str
    days: int
    rate: str
    base: str
    interest: str


class PenaltiesOut(Schema):
    days_late: int
    interest: str
    indemnity: str
    penalties: str
    outstanding: str
    segments: list[SegmentOut]
    warnings: list[str]


class PenaltiesFieldError(Schema):
    loc: list[str]
    msg: str
    type: str


# Named apart from api.schemas' ErrorOut and FieldError: OpenAPI components are keyed by class
# name, and two schemas of one name leave only one in the document.
class PenaltiesErrorOut(Schema):
    detail: str | list[PenaltiesFieldError]


def _error(error: LawError) -> Status[dict[str, Any]]:
    if error.field:
        return Status(422, {"detail": [{"loc": ["body", error.field], "msg": error.message, "type": "value_error"}]})
    return Status(422, {"detail": error.message})


@router.post(
    "/penalties",
    auth=None,
    response={200: PenaltiesOut, 422: PenaltiesErrorOut},
    summary="Calculer les pénalités de retard d’une facture",
    description=(
        "Professionnel : intérêts au taux BCE + 10 points (ou au taux contractuel) par semestre, "
        "plus 40 € d’indemnité forfaitaire (art. L441-10 et D441-5 du Code de commerce). "
        "Particulier : intérêts au taux légal à compter de la mise en demeure (art. 1231-6 et "
        "1344-1 du Code civil). Montants en chaînes décimales, dates ISO."
    ),
    openapi_extra={"requestBody": REQUEST_BODY},
)
def penalties(request: HttpRequest) -> Status[dict[str, Any]]:
    try:
        data = json.loads(request.body or b"null", parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        return Status(422, {"detail": "Le corps de la requête doit être un objet JSON valide."})
    if not isinstance(data, dict):
        return Status(422, {"detail": "Le corps de la requête doit être un objet JSON."})
    try:
        result = compute_penalties(tables=load_rate_tables(), **parse_penalty_request(data))
    except LawError as error:
        return _error(error)
    return Status(200, result.as_json())
