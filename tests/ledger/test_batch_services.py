"""The batch services an import writes through: each item refused exactly as its one-row service
refuses it, nothing written when one is, and the same rows and audit events when none is."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Business, User
from core.errors import BatchErrors, Conflict, NotFound
from core.models import AuditEvent
from ledger import services
from ledger.models import Client, Invoice, Payment
from tests.factories import make_business, make_client, make_invoice

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def business(business: Business) -> Business:
    """Liable to VAT: the invoices below carry some."""
    business.vat_status = Business.VatStatus.VAT
    business.save()
    return business


def refusal(error: Exception) -> object:
    if isinstance(error, ValidationError):
        return error.message_dict
    return (type(error).__name__, str(error))


def one_by_one(write: Callable[[dict[str, Any]], object], items: list[dict[str, Any]]) -> dict[int, object]:
    """What the one-row service says of each item, the items written in turn; then rolled back."""
    refused: dict[int, object] = {}
    with transaction.atomic():
        for index, item in enumerate(items):
            try:
                with transaction.atomic():
                    write(item)
            except (ValidationError, Conflict, NotFound) as error:
                refused[index] = refusal(error)
        transaction.set_rollback(True)
    return refused


def refused_by_batch(business: Business, write: Callable[[], object]) -> dict[int, object]:
    """The batch's refusals, checking that it wrote nothing."""
    before = stored(business)
    with pytest.raises(BatchErrors) as batch:
        write()
    assert stored(business) == before
    return {index: refusal(error) for index, error in batch.value.errors.items()}


def event_rows(**filters: Any) -> list[tuple[Any, ...]]:
    """The audit events as the pages read them, without their ids and times."""
    return list(
        AuditEvent.objects.filter(**filters)
        .order_by("id")
        .values_list("business", "actor", "action", "object_type", "object_repr", "invoice", "client", "changes")
    )


def stored(business: Business) -> tuple[object, ...]:
    """What a refused batch must leave as it was: the rows, the audit log, the books version."""
    return (
        list(Invoice.objects.values_list("pk", "amount_due")),
        Payment.objects.count(),
        Client.objects.count(),
        AuditEvent.objects.count(),
        Business.objects.get(pk=business.pk).books_version,
    )


def invoice_item(client: Client | None, number: str, **fields: Any) -> dict[str, Any]:
    return {
        "client": client,
        "number": number,
        "issue_date": dt.date(2026, 9, 1),
        "due_date": dt.date(2026, 10, 1),
        "total_excl_tax": Decimal("100.00"),
        "vat_amount": Decimal("20.00"),
        "total_incl_tax": Decimal("120.00"),
        **fields,
    }


# Invoices


def test_each_refused_invoice_gets_the_error_create_invoice_gives_it(business: Business) -> None:
    client = make_client(business)
    gone = make_client(business)
    make_invoice(business, client, number="F-PRISE")
    services.delete_client(client=gone, actor=None)
    items = [
        invoice_item(client, "F-1"),
        invoice_item(client, "F-PRISE"),
        invoice_item(client, "F-1"),
        invoice_item(client, "F-3", due_date=dt.date(2026, 8, 1)),
        invoice_item(client, "F-4", total_incl_tax=Decimal("130.00")),
        invoice_item(client, "F-5", total_excl_tax="cent"),
        invoice_item(client, "F-6", issue_date=dt.date(1850, 1, 1)),
        invoice_item(gone, "F-7"),
        invoice_item(None, "F-8"),
        invoice_item(client, "F-9", total_excl_tax=Decimal("-100.00"), total_incl_tax=Decimal("-80.00")),
        invoice_item(client, "F-10"),
    ]
    refused = refused_by_batch(business, lambda: services.create_invoices(business=business, actor=None, items=items))
    assert refused == one_by_one(lambda item: services.create_invoice(business=business, actor=None, **item), items)
    assert refused == {
        1: {"number": ["Une facture n° F-PRISE existe déjà."]},
        2: {"number": ["Une facture n° F-1 existe déjà."]},
        3: {"due_date": ["L’échéance ne peut pas précéder la date de facture."]},
        4: {"total_incl_tax": ["Le total TTC doit être égal au total HT plus la TVA."]},
        5: {"total_excl_tax": ["Saisissez un montant, par exemple 1 234,56."]},
        6: {"issue_date": ["Date hors limites : l’année doit être comprise entre 1900 et 2100."]},
        7: {"client": ["Client introuvable."]},
        8: {"client": ["Ce champ ne peut pas contenir la valeur nulle."]},
        9: {
            "total_excl_tax": ["Le montant doit être supérieur à zéro."],
            "total_incl_tax": ["Le montant doit être supérieur à zéro."],
        },
    }


def test_vat_in_franchise_is_refused_item_by_item(business: Business) -> None:
    business.vat_status = Business.VatStatus.FRANCHISE
    business.save()
    client = make_client(business)
    items = [invoice_item(client, "F-1"), invoice_item(client, "F-2", vat_amount=Decimal("0.00"))]
    items[1]["total_incl_tax"] = Decimal("100.00")
    refused = refused_by_batch(business, lambda: services.create_invoices(business=business, actor=None, items=items))
    assert refused == one_by_one(lambda item: services.create_invoice(business=business, actor=None, **item), items)
    assert list(refused) == [0]
    assert "franchise en base de TVA" in str(refused[0])


def test_a_client_of_another_business_is_not_found(business: Business) -> None:
    foreign = make_client(make_business())
    items = [invoice_item(foreign, "F-1")]
    refused = refused_by_batch(business, lambda: services.create_invoices(business=business, actor=None, items=items))
    assert refused == {0: {"client": ["Client introuvable."]}}
    assert refused == one_by_one(lambda item: services.create_invoice(business=business, actor=None, **item), items)


def test_created_invoices_and_their_events_are_those_of_create_invoice(business: Business, owner: User) -> None:
    client = make_client(business)
    items = [invoice_item(client, f"F-{n}", notes=f"Note {n}") for n in range(3)]
    items.append(invoice_item(client, "F-SANS-ECHEANCE", due_date=None, vat_amount=None, total_incl_tax=None))
    for item in items:
        services.create_invoice(business=business, actor=owner, **{**item, "number": f"ONE-{item['number']}"})
    one = list(Invoice.objects.filter(business=business).order_by("id"))
    one_events = event_rows(business=business, object_type="invoice")
    version = Business.objects.get(pk=business.pk).books_version

    created = services.create_invoices(business=business, actor=owner, items=items)

    assert [invoice.number for invoice in created] == [item["number"] for item in items]
    assert all(invoice.pk for invoice in created)
    fields = ["client_id", "issue_date", "due_date", "total_excl_tax", "vat_amount", "total_incl_tax", "amount_due"]
    stored = list(Invoice.objects.filter(pk__in=[invoice.pk for invoice in created]).order_by("id"))
    assert [[getattr(i, f) for f in [*fields, "notes"]] for i in stored] == [
        [getattr(i, f) for f in [*fields, "notes"]] for i in one
    ]
    # One event per invoice, word for word what create_invoice writes, in the same order.
    batch_events = event_rows(business=business, object_type="invoice")[len(one_events) :]
    assert [event[:4] + event[6:] for event in batch_events] == [event[:4] + event[6:] for event in one_events]
    assert [event[5] for event in batch_events] == [invoice.pk for invoice in stored]
    assert [event[4] for event in batch_events] == [item["number"] for item in items]
    assert Business.objects.get(pk=business.pk).books_version != version


def test_a_batch_costs_a_few_queries_whatever_its_size(
    business: Business,
    django_assert_max_num_queries: Any,
) -> None:
    clients = [make_client(business) for _ in range(3)]
    items = [invoice_item(clients[n % 3], f"F-{n}") for n in range(120)]
    # Savepoint and release, the books version, the clients' lock, the numbers taken, then the
    # inserts: SQLite takes 49 invoices and 99 events to a statement.
    with django_assert_max_num_queries(12):
        services.create_invoices(business=business, actor=None, items=items)
    assert Invoice.objects.filter(business=business).count() == 120


# Payments


def payment_item(invoice: Invoice, amount: str, **fields: Any) -> dict[str, Any]:
    """Amounts as text, which the services read as they read the CLI's."""
    return {"invoice": invoice, "date": dt.date(2026, 10, 5), "amount": amount, **fields}


def test_each_refused_payment_gets_the_error_record_payment_gives_it(business: Business) -> None:
    open_invoice = make_invoice(business, amount="150.00")
    cancelled = make_invoice(business, amount="80.00")
    services.cancel_invoice(invoice=cancelled, actor=None, reason="Erreur de saisie")
    credited = make_invoice(business, amount="100.00")
    services.record_credit_note(
        invoice=credited, actor=None, number="AV-1", date=dt.date(2026, 9, 10), amount=Decimal("60.00")
    )
    foreign = make_invoice(make_business(), amount="100.00")
    items = [
        payment_item(open_invoice, "100.00"),
        payment_item(open_invoice, "100.00"),
        payment_item(open_invoice, "50.00", method=Payment.Method.CHEQUE, reference="CHQ 1"),
        payment_item(cancelled, "10.00"),
        payment_item(credited, "50.00"),
        payment_item(credited, "40.00", date=dt.date(2026, 8, 1)),
        payment_item(credited, "40.00", date=dt.date(2027, 1, 1)),
        payment_item(credited, "zéro"),
        payment_item(foreign, "10.00"),
    ]
    refused = refused_by_batch(business, lambda: services.record_payments(business=business, actor=None, items=items))
    # The foreign invoice: record_payment trusts the invoice it is given (the caller looked it
    # up in the tenant); the batch takes only the business's invoices.
    assert refused.pop(8) == ("NotFound", "Facture introuvable.")
    assert refused == one_by_one(lambda item: services.record_payment(actor=None, **item), items[:8])
    assert refused == {
        1: {"amount": ["Le montant dépasse le reste dû (50,00\u202f€) : un trop-perçu est refusé."]},
        3: ("Conflict", "Cette facture est annulée : aucun règlement ne peut y être enregistré."),
        4: {"amount": ["Le montant dépasse le reste dû (40,00\u202f€) : un trop-perçu est refusé."]},
        5: {"date": ["Le règlement ne peut pas précéder la date de la facture."]},
        6: {"date": ["Un règlement ne peut pas être daté dans le futur."]},
        7: {"amount": ["Saisissez un montant, par exemple 1 234,56."]},
    }


def test_recorded_payments_settle_their_invoices_as_record_payment_does(business: Business, owner: User) -> None:
    client = make_client(business)
    first, second = make_invoice(business, client, amount="300.00"), make_invoice(business, amount="90.00")
    services.record_payment(invoice=first, actor=None, date=dt.date(2026, 9, 20), amount=Decimal("50.00"))
    one = make_invoice(business, client, amount="300.00")
    services.record_payment(invoice=one, actor=None, date=dt.date(2026, 9, 20), amount=Decimal("50.00"))
    for item in [
        payment_item(one, "100.00", method=Payment.Method.CHEQUE, reference="CHQ 7"),
        payment_item(one, "150.00"),
    ]:
        services.record_payment(actor=owner, **item)
    one_events = event_rows(invoice=one, action="payment_recorded")
    items = [
        payment_item(first, "100.00", method=Payment.Method.CHEQUE, reference="CHQ 7"),
        payment_item(second, "90.00"),
        payment_item(first, "150.00"),
    ]
    version = Business.objects.get(pk=business.pk).books_version

    payments = services.record_payments(business=business, actor=owner, items=items)

    assert [(p.invoice_id, p.amount, p.method, p.reference) for p in payments] == [
        (first.pk, Decimal("100.00"), "cheque", "CHQ 7"),
        (second.pk, Decimal("90.00"), "transfer", ""),
        (first.pk, Decimal("150.00"), "transfer", ""),
    ]
    assert Invoice.objects.get(pk=first.pk).amount_due == Decimal("0.00") == Invoice.objects.get(pk=one.pk).amount_due
    assert Invoice.objects.get(pk=second.pk).amount_due == Decimal("0.00")
    assert [p.invoice.amount_due for p in payments] == [Decimal("0.00")] * 3
    # The same events as record_payment's, one per payment, on the payment, its invoice and client.
    events = event_rows(invoice=first, action="payment_recorded")
    assert [event[:5] + event[6:] for event in events] == [event[:5] + event[6:] for event in one_events]
    assert list(
        AuditEvent.objects.filter(action="payment_recorded", object_id__in=[p.pk for p in payments])
        .order_by("id")
        .values_list("object_id", "invoice", "client")
    ) == [(p.pk, p.invoice_id, p.invoice.client_id) for p in payments]
    assert AuditEvent.objects.filter(invoice=second, action="payment_recorded", client=second.client).count() == 1
    assert Business.objects.get(pk=business.pk).books_version != version


# Clients


def test_each_refused_client_gets_the_error_create_client_gives_it(business: Business) -> None:
    items: list[dict[str, Any]] = [
        {"name": "Atelier Dupont", "siren": "732829320", "email": "compta@dupont.test"},
        {"name": "Mauvais e-mail", "email": "pas-un-email"},
        {"name": "Mauvais SIREN", "siren": "123456789"},
        {"name": ""},
        {
            "name": "Pause passée",
            "reminders_paused": True,
            "pause_reason": "Accord",
            "pause_until": dt.date(2026, 1, 1),
        },
    ]
    refused = refused_by_batch(business, lambda: services.create_clients(business=business, actor=None, items=items))
    assert refused == one_by_one(lambda item: services.create_client(business=business, actor=None, **item), items)
    assert sorted(refused) == [1, 2, 3, 4]
    assert refused[2] == {"siren": ["Ce SIREN n’est pas valide (clé de contrôle incorrecte)."]}


def test_created_clients_and_their_events_are_those_of_create_client(business: Business, owner: User) -> None:
    items: list[dict[str, Any]] = [
        {"name": "Atelier Dupont", "siren": "732829320", "city": "Lyon"},
        {"name": "Jeanne Morel", "kind": Client.Kind.CONSUMER, "email": "jeanne@morel.test"},
    ]
    for item in items:
        services.create_client(business=business, actor=owner, **item)
    one_events = event_rows(business=business, object_type="client")
    clients = services.create_clients(business=business, actor=owner, items=items)
    assert [(c.name, c.siren, c.kind, c.city, c.email) for c in clients] == [
        ("Atelier Dupont", "732829320", "business", "Lyon", ""),
        ("Jeanne Morel", "", "consumer", "", "jeanne@morel.test"),
    ]
    events = event_rows(business=business, object_type="client")[len(one_events) :]
    assert [event[:5] + event[7:] for event in events] == [event[:5] + event[7:] for event in one_events]
    assert [event[6] for event in events] == [client.pk for client in clients]
