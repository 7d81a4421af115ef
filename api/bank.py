"""Bank statements in, and their credit lines matched to invoices, over `bank`'s services.

The same import, proposals and confirmations as the reconciliation page: a line of another
business answers 404, a line already matched or ignored 409.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile
from ninja.params import P, PathEx
from ninja.responses import Status

from api.auth import actor_of, business_of, token_auth
from api.schemas import WRITE_ERRORS, InputSchema, Money, MoneyIn, ObjectId
from bank import queries, services
from bank.lookups import get_line_for
from bank.models import BankLine, BankStatement
from core.ids import MAX_ID

router = Router(auth=token_auth, tags=["Banque"])

Id = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant de la ligne de relevé.")]


class AllocationOut(Schema):
    invoice_id: int
    invoice_number: str
    client_name: str
    amount: Money


class ProposalOut(Schema):
    confidence: str = Field(description="« sure » (sûre), « probable » ou « check » (à vérifier).")
    reason: str = Field(description="« reference », « amount_and_name », « amount » ou « name ».")
    found: str
    allocations: list[AllocationOut]


class PaymentRef(Schema):
    id: int
    invoice_id: int
    amount: Money


class BankLineOut(Schema):
    id: int
    date: dt.date
    amount: Money
    text: str
    counterparty: str
    status: str
    proposal: ProposalOut | None = None
    payments: list[PaymentRef] = []


class StatementOut(Schema):
    id: int
    filename: str
    format: str
    account: str
    bank_name: str
    credit_count: int
    debit_count: int
    imported_at: dt.datetime


class ImportOut(Schema):
    statement: StatementOut
    created: int = Field(description="Lignes nouvelles ; 0 quand le relevé avait déjà été importé.")
    already_imported: bool
    lines: list[BankLineOut]


class MatchIn(InputSchema):
    invoice_ids: Annotated[list[ObjectId], Field(min_length=1, max_length=50)]
    amounts: list[MoneyIn | None] | None = Field(
        default=None,
        description="Un montant par facture, dans le même ordre ; absent : le reste du virement, "
        "dans la limite du reste dû.",
    )


def _line_out(line: BankLine, proposal: Any = None) -> dict[str, Any]:
    return {
        "id": line.pk,
        "date": line.date,
        "amount": line.amount,
        "text": line.text,
        "counterparty": line.counterparty,
        "status": line.status,
        "proposal": (
            {
                "confidence": proposal.confidence,
                "reason": proposal.reason,
                "found": proposal.found,
                "allocations": [
                    {
                        "invoice_id": item.invoice.id,
                        "invoice_number": item.invoice.number,
                        "client_name": item.invoice.client_name,
                        "amount": item.amount,
                    }
                    for item in proposal.allocations
                ],
            }
            if proposal
            else None
        ),
        "payments": [
            {
                "id": allocation.payment_id,
                "invoice_id": allocation.payment.invoice_id,
                "amount": allocation.payment.amount,
            }
            for allocation in line.allocations.all()
        ],
    }


def _statement_out(statement: BankStatement) -> StatementOut:
    return StatementOut.model_validate(statement, from_attributes=True)


@router.post(
    "/bank-statements",
    response={200: ImportOut, 201: ImportOut, **WRITE_ERRORS},
    operation_id="importBankStatement",
    summary="Importer un relevé bancaire",
    description=(
        "Fichier OFX (1.x SGML ou 2.x XML), CAMT.053 (XML ISO 20022) ou CSV d’une banque française, "
        "5 Mo au plus, en multipart (`file`). Seuls les crédits sont gardés. Réponse : les virements du "
        "fichier avec le rapprochement proposé. Un fichier déjà importé ne change rien (200, `created` 0)."
    ),
)
def import_statement(request: HttpRequest, file: File[UploadedFile]) -> Any:
    business = business_of(request)
    result = services.import_statement(business=business, actor=actor_of(request), upload=file)
    lines = queries.statement_lines(result.statement, result.keys).prefetch_related("allocations__payment")
    rows = queries.lines_with_proposals(business, lines)
    body = {
        "statement": _statement_out(result.statement),
        "created": result.created,
        "already_imported": result.already_imported,
        "lines": [_line_out(row.line, row.proposal) for row in rows],
    }
    return Status(200 if result.already_imported else 201, body)


@router.post(
    "/bank-lines/{id}/match",
    response={200: BankLineOut, **WRITE_ERRORS},
    operation_id="matchBankLine",
    summary="Rapprocher une ligne de relevé de factures",
    description=(
        "Enregistre un règlement par virement sur chaque facture (`invoice_ids`, `amounts`). Règlement partiel "
        "accepté ; la somme ne peut dépasser le virement, ni chaque montant le reste dû. Une ligne déjà "
        "rapprochée ou ignorée : 409."
    ),
)
def match_line(request: HttpRequest, id: Id, payload: MatchIn) -> Any:
    line = get_line_for(actor_of(request), id)
    amounts: list[Decimal | None] | None = payload.amounts
    allocations = services.parse_allocations(line, list(payload.invoice_ids), amounts)
    services.match_line(line=line, actor=actor_of(request), allocations=allocations)
    line.refresh_from_db()
    return _line_out(line)


@router.post(
    "/bank-lines/{id}/ignore",
    response={200: BankLineOut, **WRITE_ERRORS},
    operation_id="ignoreBankLine",
    summary="Ignorer une ligne de relevé",
    description="La ligne n’est plus proposée au rapprochement. Une ligne déjà rapprochée ou ignorée : 409.",
)
def ignore_line(request: HttpRequest, id: Id) -> Any:
    line = get_line_for(actor_of(request), id)
    return _line_out(services.ignore_line(line=line, actor=actor_of(request)))
