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
from ledger.models import Client, Invoice, InvoiceStatus, Payment

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

    def rows() -> Iterator[Row]:
        for client in clients.iterator(chunk_size=CHUNK):
            yield [
                client.name,
                kinds[client.kind],
                client.contact_name,
                client.email,
                client.phone,
                client.address_line1,
                client.address_line2,
                client.postal_code,
                client.city,
                client.country,
                client.siren,
            ]

    return Sheet("Clients", CLIENT_COLUMNS, rows())


def invoice_sheet(invoices: QuerySet[Invoice], today: dt.date) -> Sheet:
    """Invoices with their client; the status is the one on `today`, as the invoice page shows it."""
    statuses = _labels(InvoiceStatus.choices)

    def rows() -> Iterator[Row]:
        for invoice in invoices.select_related("client").iterator(chunk_size=CHUNK):
            yield [
                invoice.number,
                invoice.client.name,
                invoice.client.siren,
                invoice.issue_date,
                invoice.due_date,
                invoice.total_excl_tax,
                invoice.vat_amount,
                invoice.total_incl_tax,
                invoice.amount_due,
                statuses[invoice.status_on(today)],
            ]

    return Sheet("Factures", INVOICE_COLUMNS, rows())


def payment_sheet(payments: QuerySet[Payment]) -> Sheet:
    methods = _labels(Payment.Method.choices)

    def rows() -> Iterator[Row]:
        for payment in payments.select_related("invoice").iterator(chunk_size=CHUNK):
            yield [payment.invoice.number, payment.date, payment.amount, methods[payment.method], payment.reference]

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
