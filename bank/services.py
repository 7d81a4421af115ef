"""Importing statements, and turning their lines into payments: the only writers of bank rows.

A line becomes payments through `ledger.services.record_payment` (method transfer), all in one
transaction with the line's change of status, under the line's row lock: of two confirmations
of one line, the second finds it matched and is refused.
"""

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Business, User
from bank import parsers, queries
from bank.matching import SURE
from bank.models import BankLine, BankLinePayment, BankStatement
from core.audit import record
from core.errors import Conflict, NotFound
from core.formats import money
from core.money import parse_amount
from ledger import services as ledger_services
from ledger.models import Invoice, Payment


@dataclass(frozen=True)
class ImportResult:
    statement: BankStatement
    keys: list[tuple[str, str]]  # (account, key) of every credit line of the file
    created: int
    already_imported: bool


def line_key(entry: parsers.Entry, occurrence: int) -> str:
    """The bank's id of the line, or a hash of its date, amount and text.

    `occurrence` counts the same date, amount and text earlier in the file: two identical
    transfers on one day are two lines, and the same file read again gives the same keys."""
    if entry.bank_id:
        return f"id:{entry.bank_id}"[:100]
    digest = hashlib.sha256(f"{entry.date:%Y-%m-%d}|{entry.amount}|{entry.text}|{occurrence}".encode()).hexdigest()
    return f"hash:{digest}"


def _read_upload(upload: UploadedFile[bytes] | bytes) -> tuple[bytes, str]:
    if isinstance(upload, bytes):
        return upload, "releve"
    if upload.size is not None and upload.size > parsers.MAX_FILE_BYTES:
        raise ValidationError({"file": _("Ce fichier dépasse 5 Mo : exportez une période plus courte.")})
    return upload.read(parsers.MAX_FILE_BYTES + 1), (upload.name or "releve")[:200]


def import_statement(*, business: Business, actor: User | None, upload: UploadedFile[bytes] | bytes) -> ImportResult:
    """Read the file and keep its credit lines not kept before; a second import of the same
    file, or of an overlapping one, adds only what is new (nothing, the second time)."""
    data, filename = _read_upload(upload)
    parsed = parsers.parse(data)
    credits = [entry for entry in parsed.entries if entry.amount > 0]
    account = parsed.account
    seen: Counter[tuple[object, ...]] = Counter()
    rows = []
    for entry in credits:
        triple = (entry.date, entry.amount, entry.text)
        rows.append((entry, line_key(entry, seen[triple])))
        seen[triple] += 1
    keys = [(account, key) for _entry, key in rows]
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        with transaction.atomic():
            statement = BankStatement.objects.create(
                business=business,
                filename=filename,
                format=parsed.format,
                sha256=sha256,
                account=account,
                bank_name=parsed.bank_name,
                credit_count=len(credits),
                debit_count=len(parsed.entries) - len(credits),
                imported_by=actor if actor is not None and actor.pk else None,
            )
            # Lines another import already kept are left as they are (ON CONFLICT DO NOTHING):
            # a concurrent import of the same lines waits for the first and then adds nothing.
            BankLine.objects.bulk_create(
                [
                    BankLine(
                        business=business,
                        statement=statement,
                        account=account,
                        bank_key=key,
                        date=entry.date,
                        amount=entry.amount,
                        text=entry.text[:500] or "—",
                        counterparty=entry.counterparty[:200],
                    )
                    # In key order: two imports sharing lines take their locks in the same order,
                    # so that PostgreSQL never finds them waiting on each other.
                    for entry, key in sorted(rows, key=lambda row: row[1])
                ],
                ignore_conflicts=True,
            )
            created = BankLine.objects.filter(statement=statement).count()
            record(
                business=business,
                actor=actor,
                action="bank_statement_imported",
                obj=statement,
                changes={"format": parsed.format, "credits": len(credits), "new_lines": created},
            )
    except IntegrityError:
        # The same file, imported before or at the same moment: nothing to add.
        existing = BankStatement.objects.get(business=business, sha256=sha256)
        return ImportResult(statement=existing, keys=keys, created=0, already_imported=True)
    return ImportResult(statement=statement, keys=keys, created=created, already_imported=False)


def _locked_line(line: BankLine) -> BankLine:
    try:
        return BankLine.objects.select_for_update(of=("self",)).select_related("business").get(pk=line.pk)
    except BankLine.DoesNotExist:
        raise NotFound(_("Ligne de relevé introuvable.")) from None


def _check_open(line: BankLine) -> None:
    if line.status == BankLine.Status.MATCHED:
        raise Conflict(_("Cette ligne du relevé est déjà rapprochée : elle ne peut pas servir deux fois."))
    if line.status == BankLine.Status.IGNORED:
        raise Conflict(_("Cette ligne du relevé est ignorée."))


def parse_allocations(
    line: BankLine, invoice_ids: Sequence[object], amounts: Sequence[object] | None
) -> list[tuple[int, Decimal | None]]:
    """Invoice ids and their amounts as typed (page or API); an amount left out is filled in
    by `match_line` from what is left of the line."""
    parsed_ids: list[int] = []
    for value in invoice_ids:
        try:
            parsed_ids.append(int(str(value)))
        except (TypeError, ValueError):
            raise ValidationError({"invoice_ids": _("Choisissez une facture de la liste.")}) from None
    if not parsed_ids:
        raise ValidationError({"invoice_ids": _("Choisissez au moins une facture à régler avec ce virement.")})
    if len(set(parsed_ids)) != len(parsed_ids):
        raise ValidationError({"invoice_ids": _("Une même facture est choisie deux fois.")})
    parsed_amounts: list[Decimal | None] = []
    if amounts:
        if len(amounts) != len(parsed_ids):
            raise ValidationError({"amounts": _("Indiquez un montant par facture choisie.")})
        for value in amounts:
            if value is None or str(value).strip() == "":
                parsed_amounts.append(None)
                continue
            try:
                parsed_amounts.append(parse_amount(value if not isinstance(value, float) else str(value)))
            except ValidationError as error:
                raise ValidationError({"amounts": error.messages}) from None
    else:
        parsed_amounts = [None] * len(parsed_ids)
    return list(zip(parsed_ids, parsed_amounts, strict=True))


def match_line(
    *, line: BankLine, actor: User | None, allocations: Sequence[tuple[int, Decimal | None]]
) -> list[Payment]:
    """Record the line as the payment of the invoices given (one payment each), and mark it matched.

    An amount None takes what is left of the line, up to the invoice's amount due. The amounts
    may add up to less than the line (the rest is not recorded), never to more."""
    with transaction.atomic():
        line = _locked_line(line)
        _check_open(line)
        invoices = {
            invoice.pk: invoice
            for invoice in Invoice.objects.filter(business_id=line.business_id, pk__in=[pk for pk, _a in allocations])
        }
        if len(invoices) != len(allocations):
            raise ValidationError({"invoice_ids": _("Facture introuvable.")})
        left = line.amount
        planned: list[tuple[Invoice, Decimal]] = []
        for pk, amount in allocations:
            invoice = invoices[pk]
            if amount is None:
                amount = min(left, invoice.amount_due)
            if amount <= 0:
                raise ValidationError({"amounts": _("Le montant réglé doit être supérieur à zéro.")})
            left -= amount
            planned.append((invoice, amount))
        if left < 0:
            raise ValidationError(
                {
                    "amounts": _("Les montants dépassent celui du virement (%(amount)s).")
                    % {"amount": money(line.amount)}
                }
            )
        payments = []
        for invoice, amount in planned:
            try:
                payment = ledger_services.record_payment(
                    invoice=invoice,
                    actor=actor,
                    date=line.date,
                    amount=amount,
                    method=Payment.Method.TRANSFER,
                    reference=line.payment_reference,
                )
            except ValidationError as error:
                messages = [f"{invoice.number} : {message}" for message in error.messages]
                raise ValidationError({"amounts": messages}) from None
            except Conflict as error:
                raise Conflict(f"{invoice.number} : {error}") from None
            BankLinePayment.objects.create(line=line, payment=payment)
            payments.append(payment)
        line.status = BankLine.Status.MATCHED
        line.decided_at = timezone.now()
        line.decided_by = actor if actor is not None and actor.pk else None
        line.save(update_fields=["status", "decided_at", "decided_by"])
        record(
            business=line.business,
            actor=actor,
            action="bank_line_matched",
            obj=line,
            changes={"invoices": [invoice.number for invoice, _a in planned], "amount": line.amount},
        )
    return payments


def ignore_line(*, line: BankLine, actor: User | None) -> BankLine:
    with transaction.atomic():
        line = _locked_line(line)
        _check_open(line)
        line.status = BankLine.Status.IGNORED
        line.decided_at = timezone.now()
        line.decided_by = actor if actor is not None and actor.pk else None
        line.save(update_fields=["status", "decided_at", "decided_by"])
        record(business=line.business, actor=actor, action="bank_line_ignored", obj=line)
    return line


@dataclass(frozen=True)
class BulkResult:
    matched: int
    failed: list[str]


def confirm_sure_matches(*, business: Business, actor: User | None) -> BulkResult:
    """Confirm every open line whose proposal is sure, each in its own transaction: one refused
    (the invoice paid meanwhile, say) leaves the others recorded."""
    matched, failed = 0, []
    for row in queries.lines_with_proposals(business):
        if row.proposal is None or row.proposal.confidence != SURE:
            continue
        allocations: list[tuple[int, Decimal | None]] = [
            (item.invoice.id, item.amount) for item in row.proposal.allocations
        ]
        try:
            match_line(line=row.line, actor=actor, allocations=allocations)
        except (ValidationError, Conflict, NotFound) as error:
            text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            failed.append(f"{row.line.date:%d/%m/%Y} {money(row.line.amount)} : {text}")
        else:
            matched += 1
    return BulkResult(matched=matched, failed=failed)
