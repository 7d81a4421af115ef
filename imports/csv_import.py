"""Running a CSV import: each row through the ledger's services, all or nothing.

The whole file is one transaction, and every write goes through `ledger.services`, so every
rule of the books applies to an imported row as to a typed one, with the same French message.
Rows are read `BATCH` at a time. Clients are created and updated, and invoices updated, at their
row (`create_client`, `update_client`, `update_invoice`), in a savepoint of the row opened
before its first write. The invoices, the clients of a clients file and the payments to create
wait for the end of their batch, where one call of the ledger's batch service writes them all
(`create_invoices`, `create_clients`, `record_payments`: each item checked by the same
functions as the one-row service, under one books version and one lock query, the rows and
their audit events written a few hundred to a statement). A row the batch service refuses gets
its error and the others are sent again without it; then the batch's rows are told to the
report in their order. A dry run is the same run rolled back at the end: what it reports is
exactly what the commit would do. A commit with any error is rolled back too: nothing is
written.

For a file without errors, writing a batch's rows together changes nothing. In a file with
some, a row refused at the end of its batch keeps until the rollback what it wrote at its row
(the client it created, which later rows naming it then find: a new client is counted once,
with the first row naming it that succeeds), and a later row of the same batch with its number
is told that the number appears twice in the file.

Re-importing a file changes nothing: invoices are found by number, clients by SIREN (else by
name), and a row whose values are already stored calls no service at all. A payment is the
same payment when its invoice, date, amount, method and reference are: the n-th such row of a
file is the n-th such payment stored before the import began.

Memory stays bounded: rows are streamed from the stored file and handled `BATCH` at a time,
with one query per batch to find the invoices or clients they name, and what waits for the end
of a batch is that batch's rows. What grows with the file is small: the invoice numbers seen
(to refuse a number twice in one file), the keys of the payments and the ids of the clients
created, and the report keeps at most `MAX_ERRORS` errors and `MAX_ACTIONS` actions.
"""

import abc
import datetime as dt
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Business, User
from accounts.validators import normalize_identifier
from core.errors import BatchErrors, Conflict, NotFound
from core.formats import money
from imports.csv_fields import CLIENTS, INVOICES, PAYMENTS, field_label
from imports.csv_format import normalise, parse_amount, parse_date, read_rows
from ledger import services
from ledger.models import ZERO, Client, Invoice, Payment

BATCH = 500
MAX_ERRORS = 1000
MAX_ACTIONS = 100
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
CATCH_UP_REFERENCE = "Reste dû repris à l’import"

CLIENT_KINDS = {
    **dict.fromkeys(("professionnel", "pro", "entreprise", "societe", "business", "b2b"), Client.Kind.BUSINESS),
    **dict.fromkeys(("particulier", "part", "consumer", "b2c", "personne physique"), Client.Kind.CONSUMER),
}
PAYMENT_METHODS = {
    **dict.fromkeys(("virement", "virement bancaire", "vir", "transfer", "sepa"), Payment.Method.TRANSFER),
    **dict.fromkeys(("cheque", "chq", "cheque bancaire"), Payment.Method.CHEQUE),
    **dict.fromkeys(("carte bancaire", "carte", "cb", "card"), Payment.Method.CARD),
    **dict.fromkeys(("especes", "liquide", "cash"), Payment.Method.CASH),
    **dict.fromkeys(("prelevement", "prelevement sepa", "direct debit", "direct_debit"), Payment.Method.DIRECT_DEBIT),
    **dict.fromkeys(("autre", "other"), Payment.Method.OTHER),
}
# Client model fields an import may set, by the key of the import's field.
CLIENT_TEXT_FIELDS = (
    "contact_name",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "country",
    "notes",
)


@dataclass
class Report:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    clients_created: int = 0
    error_count: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)

    def error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": row, "column": column, "message": message})

    def action(self, row: int, action: str, label: str, changes: Iterable[str] = ()) -> None:
        setattr(self, action, getattr(self, action) + 1)
        if len(self.actions) < MAX_ACTIONS:
            self.actions.append({"row": row, "action": action, "label": label, "changes": list(changes)})


_ABSENT = object()


@dataclass
class _Done:
    """What a row did, told to the report once its batch is written (rows are told in order)."""

    action: str
    label: str
    changes: list[str] = field(default_factory=list)
    # The row's client: counted in `clients_created` with the first row that names it and
    # succeeds, if this import created it.
    client_id: int | None = None


class RowErrors(Exception):
    """The row's cells or the services refused it: field key → French messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class _Importer(abc.ABC):
    kind: str
    # Model fields named in the services' errors → the import's field they come from.
    error_fields: dict[str, str] = {}
    key_field: str

    def __init__(
        self, business: Business, actor: User | None, headers: list[str], mapping: dict[str, int], report: Report
    ) -> None:
        self.business, self.actor, self.headers, self.mapping, self.report = business, actor, headers, mapping, report
        self.today = timezone.localdate()
        # Clients created by this import and not yet counted (see `_Done.client_id`).
        self.new_clients: dict[int, bool] = {}

    # Cells

    def cell(self, row: list[str], key: str) -> str:
        column = self.mapping.get(key)
        if column is None or column >= len(row):
            return ""
        return row[column].strip()

    def column(self, key: str) -> str:
        """The header of the column a field was read from, or the field's name when none was."""
        column = self.mapping.get(key)
        if column is not None and column < len(self.headers) and self.headers[column]:
            return self.headers[column]
        return field_label(self.kind, key)

    # The run

    def prepare(self, rows: list[tuple[int, list[str]]]) -> None:
        """Load what the batch's rows refer to, in one query or two (nothing by default)."""
        return None

    @abc.abstractmethod
    def handle(self, line: int, row: list[str]) -> _Done | None:
        """Write one row through the ledger's services, or raise its errors; None when what it
        writes waits for `write_pending`, which then gives the row its outcome."""

    def write_pending(self) -> None:
        """Write what the batch's rows left for the end of the batch (nothing by default)."""
        return None

    def remember(self, cache: dict[Any, Any], key: Any, value: Any) -> None:
        """Cache a row written by this row: forgotten again if the row is rolled back."""
        self.undo.append((cache, key, cache.get(key, _ABSENT)))
        cache[key] = value

    def run_batch(self, batch: list[tuple[int, list[str]]]) -> None:
        self.prepare(batch)
        self.outcomes: dict[int, _Done | Exception] = {}
        for line, row in batch:
            self.run_row(line, row)
        self.write_pending()
        for line, _row in batch:
            self.tell(line, self.outcomes[line])

    def run_row(self, line: int, row: list[str]) -> None:
        self.undo: list[tuple[dict[Any, Any], Any, Any]] = []
        self.savepoint: str | None = None
        try:
            done = self.handle(line, row)
        except (RowErrors, ValidationError, Conflict, NotFound) as error:
            if self.savepoint is not None:
                transaction.savepoint_rollback(self.savepoint)
            for cache, key, previous in reversed(self.undo):
                if previous is _ABSENT:
                    cache.pop(key, None)
                else:
                    cache[key] = previous
            self.outcomes[line] = error
        else:
            if self.savepoint is not None:
                transaction.savepoint_commit(self.savepoint)
            if done is not None:
                self.outcomes[line] = done

    def writing(self) -> None:
        """Called before each write of a row: its first opens the row's savepoint, so that a row
        refused after a write leaves nothing. Most rows write nothing at their row (an invoice to
        create waits for the end of the batch) and cost no savepoint."""
        if self.savepoint is None:
            self.savepoint = transaction.savepoint()

    def write_together(
        self, write: Callable[[list[dict[str, Any]]], Sequence[Any]], pending: list[tuple[int, dict[str, Any]]]
    ) -> tuple[list[tuple[int, Any]], list[tuple[int, Exception]]]:
        """Write the items of the pending rows (line, item) in one call of a batch service.

        Returns the rows written (line, what the service returned for it) and the rows refused
        (line, error). The service writes nothing when it refuses an item: the others, which
        passed their checks, are sent again without the refused ones.
        """
        refused: list[tuple[int, Exception]] = []
        while pending:
            try:
                written = write([item for _line, item in pending])
            except BatchErrors as batch:
                refused += [(pending[index][0], error) for index, error in batch.errors.items()]
                pending = [entry for index, entry in enumerate(pending) if index not in batch.errors]
            else:
                return [(line, row) for (line, _item), row in zip(pending, written, strict=True)], refused
        return [], refused

    def tell(self, line: int, outcome: _Done | Exception) -> None:
        if isinstance(outcome, Exception):
            self.report_error(line, outcome)
            return
        if outcome.client_id is not None and self.new_clients.pop(outcome.client_id, False):
            self.report.clients_created += 1
        self.report.action(line, outcome.action, outcome.label, outcome.changes)

    def report_error(self, line: int, error: Exception) -> None:
        if isinstance(error, RowErrors):
            for key, messages in error.errors.items():
                for message in messages:
                    self.report.error(line, self.column(key), message)
        elif isinstance(error, ValidationError):
            for name, messages in _message_dict(error).items():
                key = self.error_fields.get(name, name if name in self.mapping else self.key_field)
                for message in messages:
                    self.report.error(line, self.column(key), message)
        else:
            self.report.error(line, self.column(self.key_field), str(error))

    # Clients, shared by the clients import and the invoices import (which creates the clients it names)

    def load_clients(self, sirens: set[str], names: set[str]) -> None:
        self.clients: dict[tuple[str, str], Client] = {}
        found = Client.objects.filter(business=self.business, siren__in=sirens) if sirens else Client.objects.none()
        by_name = Client.objects.filter(business=self.business, name__in=names) if names else Client.objects.none()
        for client in [*found, *by_name.order_by("id")]:
            if client.siren:
                self.clients.setdefault(("siren", client.siren), client)
            self.clients.setdefault(("name", client.name.casefold()), client)
            if not client.siren:
                self.clients.setdefault(("name-nosiren", client.name.casefold()), client)

    def find_client(self, name: str, siren: str) -> Client | None:
        if siren:
            return self.clients.get(("siren", siren)) or self.clients.get(("name-nosiren", name.casefold()))
        return self.clients.get(("name", name.casefold()))

    def remember_client(self, client: Client) -> None:
        if client.siren:
            self.remember(self.clients, ("siren", client.siren), client)
        for key in [("name", client.name.casefold())] + (
            [] if client.siren else [("name-nosiren", client.name.casefold())]
        ):
            if key not in self.clients:
                self.remember(self.clients, key, client)


def _label(model: type[Model], key: str) -> str:
    return str(getattr(model._meta.get_field(key), "verbose_name", key))


def _message_dict(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {name: [str(message) for message in messages] for name, messages in error.message_dict.items()}
    return {NON_FIELD_ERRORS: [str(message) for message in error.messages]}


def _siren_of(text: str) -> str:
    """A SIREN, or the SIREN of a SIRET (its first 9 digits); spaces and dots removed."""
    digits = normalize_identifier(text)
    return digits[:9] if len(digits) == 14 and digits.isdigit() else digits


class _Parser:
    """Collects every cell error of a row before raising them together."""

    def __init__(self, importer: _Importer, row: list[str]) -> None:
        self.importer, self.row = importer, row
        self.errors: dict[str, list[str]] = {}

    def text(self, key: str) -> str:
        return self.importer.cell(self.row, key)

    def amount(self, key: str) -> Decimal | None:
        text = self.text(key)
        if not text:
            return None
        try:
            return parse_amount(text)
        except ValidationError as error:
            self.errors.setdefault(key, []).extend(str(message) for message in error.messages)
            return None

    def date(self, key: str) -> dt.date | None:
        text = self.text(key)
        if not text:
            return None
        try:
            return parse_date(text)
        except ValidationError as error:
            self.errors.setdefault(key, []).extend(str(message) for message in error.messages)
            return None

    def choice(self, key: str, choices: dict[str, Any], message: str) -> Any:
        text = self.text(key)
        if not text:
            return None
        if normalise(text) in choices:
            return choices[normalise(text)]
        self.errors.setdefault(key, []).append(message % {"value": text})
        return None

    def require(self, key: str, value: Any, message: str) -> None:
        if value in (None, "") and key not in self.errors:
            self.errors.setdefault(key, []).append(message)

    def done(self) -> None:
        if self.errors:
            raise RowErrors(self.errors)


class ClientImporter(_Importer):
    kind = CLIENTS
    key_field = "name"

    def prepare(self, rows: list[tuple[int, list[str]]]) -> None:
        self.load_clients(
            {_siren_of(self.cell(row, "siren")) for _line, row in rows} - {""},
            {self.cell(row, "name") for _line, row in rows} - {""},
        )
        # The clients to create (line, data), each in the cache as an unsaved copy until written.
        self.to_create: list[tuple[int, dict[str, Any]]] = []
        self.unsaved: dict[int, Client] = {}

    def handle(self, line: int, row: list[str]) -> _Done | None:
        cells = _Parser(self, row)
        name = cells.text("name")
        cells.require("name", name, _("Indiquez le nom du client."))
        kind = cells.choice(
            "kind", CLIENT_KINDS, _("Type « %(value)s » inconnu : écrivez « Professionnel » ou « Particulier ».")
        )
        cells.done()
        data: dict[str, Any] = {key: cells.text(key) for key in CLIENT_TEXT_FIELDS if cells.text(key)}
        siren = _siren_of(cells.text("siren"))
        if siren:
            data["siren"] = siren
        if kind is not None:
            data["kind"] = kind
        client = self.find_client(name, siren)
        if client is not None and client.pk is None:
            # An earlier row of the batch creates this client: written first, then compared.
            self.write_pending()
            client = self.find_client(name, siren)
        if client is None:
            self.to_create.append((line, {"name": name, **data}))
            self.unsaved[line] = Client(business=self.business, name=name, **data)
            self.remember_client(self.unsaved[line])
            return None
        data["name"] = name
        changed = {key: value for key, value in data.items() if getattr(client, key) != value}
        if not changed:
            return _Done(UNCHANGED, client.name)
        self.writing()
        client = services.update_client(client=client, actor=self.actor, **changed)
        self.remember_client(client)
        return _Done(UPDATED, client.name, [_client_field_label(key) for key in changed])

    def write_pending(self) -> None:
        created, refused = self.write_together(
            lambda items: services.create_clients(business=self.business, actor=self.actor, items=items),
            self.to_create,
        )
        for line, client in created:
            self.outcomes[line] = _Done(CREATED, client.name)
        for line, error in refused:
            self.outcomes[line] = error
        # The unsaved copies in the cache give way to the clients written; a refused one leaves
        # its name free for a later row, as if it had never been read.
        written = {id(self.unsaved[line]): client for line, client in created}
        for key, client in list(self.clients.items()):
            if client.pk is None:
                if id(client) in written:
                    self.clients[key] = written[id(client)]
                else:
                    del self.clients[key]
        self.to_create, self.unsaved = [], {}


def _client_field_label(key: str) -> str:
    return _label(Client, key)


class InvoiceImporter(_Importer):
    kind = INVOICES
    key_field = "number"
    error_fields = {"name": "client", "pdf": "number", NON_FIELD_ERRORS: "number"}

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.numbers_seen: dict[str, int] = {}

    def prepare(self, rows: list[tuple[int, list[str]]]) -> None:
        numbers = {self.cell(row, "number") for _line, row in rows} - {""}
        self.invoices = {
            invoice.number: invoice
            for invoice in Invoice.objects.filter(business=self.business, number__in=numbers).select_related("client")
        }
        self.load_clients(
            {_siren_of(self.cell(row, "siren")) for _line, row in rows} - {""},
            {self.cell(row, "client") for _line, row in rows} - {""},
        )
        # Written at the end of the batch: the invoices to create (line, data, the file's
        # "reste dû", label) and the payments that bring an invoice to it (line, item, outcome).
        self.to_create: list[tuple[int, dict[str, Any], Decimal | None, str]] = []
        self.to_pay: list[tuple[int, dict[str, Any], _Done]] = []

    def handle(self, line: int, row: list[str]) -> _Done | None:
        cells = _Parser(self, row)
        number, client_name = cells.text("number"), cells.text("client")
        cells.require("number", number, _("Indiquez le numéro de la facture."))
        cells.require("client", client_name, _("Indiquez le client."))
        issue_date, due_date = cells.date("issue_date"), cells.date("due_date")
        cells.require("issue_date", issue_date, _("Indiquez la date de la facture."))
        excl_tax, vat, incl_tax = (
            cells.amount("total_excl_tax"),
            cells.amount("vat_amount"),
            cells.amount("total_incl_tax"),
        )
        amount_due = cells.amount("amount_due")
        if excl_tax is None and incl_tax is None and not {"total_excl_tax", "total_incl_tax"} & set(cells.errors):
            cells.errors.setdefault("total_incl_tax", []).append(_("Indiquez le montant TTC ou le montant HT."))
        if number in self.numbers_seen:
            cells.errors.setdefault("number", []).append(
                _("La facture n° %(number)s figure déjà à la ligne %(line)s du fichier.")
                % {"number": number, "line": self.numbers_seen[number]}
            )
        cells.done()
        self.remember(self.numbers_seen, number, line)
        vat = vat if vat is not None else ZERO
        if excl_tax is None:
            assert incl_tax is not None
            excl_tax = incl_tax - vat
        if incl_tax is None:
            incl_tax = excl_tax + vat
        data: dict[str, Any] = {
            "number": number,
            "issue_date": issue_date,
            "total_excl_tax": excl_tax,
            "vat_amount": vat,
            "total_incl_tax": incl_tax,
        }
        if due_date is not None:
            data["due_date"] = due_date
        notes = cells.text("notes")
        if notes:
            data["notes"] = notes
        data["client"] = client = self.client_for(client_name, _siren_of(cells.text("siren")), cells.text("email"))
        invoice = self.invoices.get(number)
        label = _("Facture %(number)s") % {"number": number}
        if invoice is None:
            self.to_create.append((line, data, amount_due, label))
            return None
        changed = {key: value for key, value in data.items() if getattr(invoice, key) != value}
        if changed:
            self.writing()
            invoice = services.update_invoice(invoice=invoice, actor=self.actor, **changed)
        labels = [_label(Invoice, key) for key in changed]
        payment = self.catch_up(invoice, amount_due) if amount_due is not None else None
        if payment is None:
            return _Done(UPDATED if labels else UNCHANGED, label, labels, client.pk)
        self.to_pay.append((line, payment, _Done(UPDATED, label, [*labels, _label(Invoice, "amount_due")], client.pk)))
        return None

    def write_pending(self) -> None:
        created, refused = self.write_together(
            lambda items: services.create_invoices(business=self.business, actor=self.actor, items=items),
            [(line, data) for line, data, _amount_due, _label in self.to_create],
        )
        waiting = {line: (data["number"], amount_due, label) for line, data, amount_due, label in self.to_create}
        for line, error in refused:
            self.outcomes[line] = error
            # Not imported: a later batch may bring the number again without repeating this row.
            if self.numbers_seen.get(waiting[line][0]) == line:
                del self.numbers_seen[waiting[line][0]]
        for line, invoice in created:
            _number, amount_due, label = waiting[line]
            done = _Done(CREATED, label, client_id=invoice.client_id)
            try:
                payment = self.catch_up(invoice, amount_due) if amount_due is not None else None
            except RowErrors as refusal:
                self.outcomes[line] = refusal
                continue
            if payment is None:
                self.outcomes[line] = done
            else:
                self.to_pay.append((line, payment, done))
        self.to_pay.sort(key=lambda entry: entry[0])
        outcomes = {line: done for line, _payment, done in self.to_pay}
        paid, refused = self.write_together(
            lambda items: services.record_payments(business=self.business, actor=self.actor, items=items),
            [(line, payment) for line, payment, _done in self.to_pay],
        )
        for line, _payment in paid:
            self.outcomes[line] = outcomes[line]
        for line, error in refused:
            # The payment is the file's "reste dû": its field errors belong to that column.
            self.outcomes[line] = (
                RowErrors({"amount_due": [m for ms in _message_dict(error).values() for m in ms]})
                if isinstance(error, ValidationError)
                else error
            )

    def client_for(self, name: str, siren: str, email: str) -> Client:
        client = self.find_client(name, siren)
        if client is not None:
            return client
        extra = {key: value for key, value in (("siren", siren), ("email", email)) if value}
        self.writing()
        client = services.create_client(business=self.business, actor=self.actor, name=name, **extra)
        self.remember(self.new_clients, client.pk, True)
        self.remember_client(client)
        return client

    def catch_up(self, invoice: Invoice, amount_due: Decimal) -> dict[str, Any] | None:
        """The file's "reste dû" below Relance's: the difference is a payment received by today
        (the payment to record, or None when the amounts agree)."""
        if amount_due > invoice.total_incl_tax:
            raise RowErrors({"amount_due": [_("Le reste dû ne peut pas dépasser le montant TTC.")]})
        if amount_due == invoice.amount_due:
            return None
        if amount_due > invoice.amount_due:
            raise RowErrors(
                {
                    "amount_due": [
                        _(
                            "Reste dû de %(file)s dans le fichier, mais de %(stored)s dans Relance : un règlement "
                            "ou un avoir enregistré dans Relance n’y figure pas."
                        )
                        % {"file": money(amount_due), "stored": money(invoice.amount_due)}
                    ]
                }
            )
        return {
            "invoice": invoice,
            "date": self.today,
            "amount": invoice.amount_due - amount_due,
            "method": Payment.Method.OTHER,
            "reference": CATCH_UP_REFERENCE,
        }


class PaymentImporter(_Importer):
    kind = PAYMENTS
    key_field = "invoice_number"
    error_fields = {NON_FIELD_ERRORS: "invoice_number"}

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.seen: Counter[tuple[Any, ...]] = Counter()
        # Payments up to this id were stored before the import began (ids only grow).
        self.last_stored = Payment.objects.filter(business=self.business).aggregate(last=Max("pk"))["last"] or 0

    def prepare(self, rows: list[tuple[int, list[str]]]) -> None:
        numbers = {self.cell(row, "invoice_number") for _line, row in rows} - {""}
        self.invoices = {
            invoice.number: invoice
            for invoice in Invoice.objects.filter(business=self.business, number__in=numbers).select_related(
                "client", "business"
            )
        }
        # The payments stored before the import began, counted by what makes them the same.
        stored = (
            Payment.objects.filter(invoice__in=self.invoices.values(), pk__lte=self.last_stored)
            .values("invoice_id", "date", "amount", "method", "reference")
            .annotate(count=Count("id"))
        )
        self.stored = {
            (item["invoice_id"], item["date"], item["amount"], item["method"], item["reference"]): item["count"]
            for item in stored
        }
        # Written at the end of the batch: (line, payment, its key, label).
        self.to_pay: list[tuple[int, dict[str, Any], tuple[Any, ...], str]] = []

    def handle(self, line: int, row: list[str]) -> _Done | None:
        cells = _Parser(self, row)
        number = cells.text("invoice_number")
        cells.require("invoice_number", number, _("Indiquez le numéro de la facture réglée."))
        date, amount = cells.date("date"), cells.amount("amount")
        cells.require("date", date, _("Indiquez la date du règlement."))
        cells.require("amount", amount, _("Indiquez le montant du règlement."))
        method = cells.choice(
            "method",
            PAYMENT_METHODS,
            _(
                "Moyen de paiement « %(value)s » inconnu : virement, chèque, carte bancaire, espèces, prélèvement "
                "ou autre."
            ),
        )
        invoice = self.invoices.get(number)
        if number and invoice is None:
            cells.errors.setdefault("invoice_number", []).append(
                _("Aucune facture n° %(number)s : importez d’abord les factures.") % {"number": number}
            )
        cells.done()
        assert invoice is not None and date is not None and amount is not None
        method = method or Payment.Method.TRANSFER
        reference = cells.text("reference")
        key = (invoice.pk, date, amount, method, reference)
        self.remember(self.seen, key, self.seen[key] + 1)
        label = _("Règlement de %(amount)s sur la facture %(number)s") % {"amount": money(amount), "number": number}
        if self.seen[key] <= self.stored.get(key, 0):
            return _Done(UNCHANGED, label)
        payment = {"invoice": invoice, "date": date, "amount": amount, "method": method, "reference": reference}
        self.to_pay.append((line, payment, key, label))
        return None

    def write_pending(self) -> None:
        paid, refused = self.write_together(
            lambda items: services.record_payments(business=self.business, actor=self.actor, items=items),
            [(line, payment) for line, payment, _key, _label in self.to_pay],
        )
        waiting = {line: (key, label) for line, _payment, key, label in self.to_pay}
        for line, _payment in paid:
            self.outcomes[line] = _Done(CREATED, waiting[line][1])
        for line, error in refused:
            # Not recorded: the same payment further down the file is not a repeat of this one.
            self.seen[waiting[line][0]] -= 1
            self.outcomes[line] = error


IMPORTERS: dict[str, type[_Importer]] = {CLIENTS: ClientImporter, INVOICES: InvoiceImporter, PAYMENTS: PaymentImporter}


def run_import(
    *,
    business: Business,
    actor: User | None,
    kind: str,
    stream: IO[bytes],
    encoding: str,
    delimiter: str,
    headers: list[str],
    mapping: dict[str, int],
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
    before_commit: Callable[[Report], None] | None = None,
) -> Report:
    """Import the rows of `stream`; rolled back on a dry run or on any error.

    `progress(rows done)` is called after each batch; `before_commit(report)` inside the
    transaction, just before a commit (to record the outcome with the data, atomically)."""
    report = Report()
    importer = IMPORTERS[kind](business, actor, headers, mapping, report)
    rows = read_rows(stream, encoding, delimiter)
    # One transaction for the whole file, which draws one new version of the business's books
    # for all its writes (and so takes the business's row first, as every writer of the books).
    with services.writing_books(business):
        while batch := list(itertools.islice(rows, BATCH)):
            importer.run_batch(batch)
            report.rows += len(batch)
            if progress is not None:
                progress(report.rows)
        if dry_run or report.error_count:
            transaction.set_rollback(True)
        elif before_commit is not None:
            before_commit(report)
    return report
