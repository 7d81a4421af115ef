"""The exported tables: clients, invoices, payments, aged balance.

The headers of the first three are those Relance's CSV import recognises, so an export can be
imported again as it is. Labels (statuses, kinds, payment methods) are French whatever the
language of the request: the files are read by French accounting software and people.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import translation

from exports.queries import AgedBalance
from exports.spreadsheet import Column, Row, Sheet
from ledger.models import Client, Invoice, InvoiceStatus, Payment, status_of

# Rows fetched per round trip: one query still (a server-side cursor on PostgreSQL, chunked
# reads on SQLite), in bounded memory.
CHUNK = 2000

CLIENT_COLUMNS = [
    Column("Nom", width=32),
    Column("Type", width=14),
    Column("Contact", width=22),
    Column("Email", width=28),
    Column("Téléphone", width=16),
    Column("Adresse", width=30),
    Column("Complément d'adresse", width=22),
    Column("Code postal", width=11),
    Column("Ville", width=18),
    Column("Pays", width=12),
    Column("SIREN", width=12),
]
INVOICE_COLUMNS = [
    Column("N° facture", width=16),
    Column("Client", width=32),
    Column("SIREN", width=12),
    Column("Date", "date", width=12),
    Column("Échéance", "date", width=12),
    Column("Montant HT", "money", width=14),
    Column("TVA", "money", width=12),
    Column("Montant TTC", "money", width=14),
    Column("Reste dû", "money", width=14),
    Column("Statut", width=12),
]
PAYMENT_COLUMNS = [
    Column("N° facture", width=16),
    Column("Date du règlement", "date", width=18),
    Column("Montant", "money", width=14),
    Column("Moyen de paiement", width=18),
    Column("Référence", width=24),
]


def _labels(choices: Any) -> dict[str, str]:
    with translation.override("fr"):
        return {key: str(label) for key, label in choices}


def client_sheet(clients: QuerySet[Client]) -> Sheet:
    kinds = _labels(Client.Kind.choices)
    fields = ["name", "kind", "contact_name", "email", "phone", "address_line1", "address_line2", "postal_code"]
    fields += ["city", "country", "siren"]

    def rows() -> Iterator[Row]:
        for row in clients.values_list(*fields).iterator(chunk_size=CHUNK):
            yield [row[0], kinds[row[1]], *row[2:]]

    return Sheet("Clients", CLIENT_COLUMNS, rows())


def invoice_sheet(invoices: QuerySet[Invoice], today: dt.date) -> Sheet:
    """Invoices with their client; the status is the one on `today`, as the invoice page shows it.

    Rows are read as tuples, not models: five times faster on a list of 100,000 invoices."""
    statuses = _labels(InvoiceStatus.choices)
    fields = ["number", "client__name", "client__siren", "issue_date", "due_date", "total_excl_tax", "vat_amount"]
    fields += ["total_incl_tax", "amount_due", "cancelled_at"]

    def rows() -> Iterator[Row]:
        for row in invoices.values_list(*fields).iterator(chunk_size=CHUNK):
            *values, cancelled_at = row
            state = status_of(cancelled=cancelled_at is not None, amount_due=row[8], due_date=row[4], day=today)
            yield [*values, statuses[state]]

    return Sheet("Factures", INVOICE_COLUMNS, rows())


def payment_sheet(payments: QuerySet[Payment]) -> Sheet:
    methods = _labels(Payment.Method.choices)
    fields = ["invoice__number", "date", "amount", "method", "reference"]

    def rows() -> Iterator[Row]:
        for number, day, amount, method, reference in payments.values_list(*fields).iterator(chunk_size=CHUNK):
            yield [number, day, amount, methods[method], reference]

    return Sheet("Règlements", PAYMENT_COLUMNS, rows())


def aged_balance_columns(balance: AgedBalance) -> list[Column]:
    with translation.override("fr"):
        labels = [str(bucket.label) for bucket in balance.buckets]
    return [
        Column("Client", width=32),
        Column("SIREN", width=12),
        Column("Factures", "int", width=10),
        *[Column(label, "money", width=16) for label in labels],
        Column("Total dû", "money", width=16),
    ]


def aged_balance_sheet(balance: AgedBalance) -> Sheet:
    rows = [[row.name, row.siren, row.invoices, *row.amounts, row.total] for row in balance.rows]
    total = ["Total", "", balance.invoices, *balance.totals, balance.total]
    return Sheet(f"Balance âgée {balance.as_of:%d-%m-%Y}", aged_balance_columns(balance), rows, totals=[total])
