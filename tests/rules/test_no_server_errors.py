"""Inputs that used to be stored and then crash pages (HTTP 500): each is now refused at its
field with a French message, and the largest values still accepted keep every page working."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import services as account_services
from dunning import services as dunning_services
from dunning.archive import request_archive_export
from dunning.models import ArchiveExport, Reminder
from ledger import services
from ledger.models import Invoice
from tests.factories import make_invoice
from tests.helpers import errors_at
from tests.rules.conftest import World

OUT_OF_RANGE = "Date hors limites : l’année doit être comprise entre 1900 et 2100."
TOO_MANY_DAYS = "Une borne ne peut pas dépasser 3650 jours (10 ans)."
# 2**70: beyond SQLite's 64-bit integers.
HUGE_ID = "1180591620717411303424"
TERMS = {
    "payment_terms": "days_30",
    "payment_terms_days": "",
    "penalty_terms": "legal",
    "contract_rate": "",
    "bucket_basis": "due_date",
}


# Lateness buckets: "today minus the bound" must stay a date


def test_bucket_bounds_beyond_ten_years_are_refused_by_the_page_and_the_service(world: World) -> None:
    page = world.page.post(reverse("accounts:settings_terms"), {**TERMS, "bucket_bounds": "30,60,800000"})
    assert page.status_code == 422
    assert page.context["form"].errors["bucket_bounds"] == [TOO_MANY_DAYS]

    with pytest.raises(ValidationError) as refused:
        account_services.update_business(business=world.business, actor=world.owner, bucket_bounds="30,60,800000")
    assert refused.value.message_dict == {"bucket_bounds": [TOO_MANY_DAYS]}

    world.business.refresh_from_db()
    assert world.business.bucket_bounds == "30,60,90"
    assert world.page.get("/").status_code == 200


def test_bucket_bounds_in_another_script_are_refused(world: World) -> None:
    page = world.page.post(reverse("accounts:settings_terms"), {**TERMS, "bucket_bounds": "٣٠,٦٠"})
    assert page.status_code == 422
    assert page.context["form"].errors["bucket_bounds"] == [
        "Saisissez des nombres de jours séparés par des virgules, par exemple 30,60,90."
    ]


def test_the_largest_bucket_bound_keeps_the_late_payment_pages_working(world: World) -> None:
    account_services.update_business(business=world.business, actor=world.owner, bucket_bounds="30,60,3650")

    for url in ["/", reverse("pages:late_payments"), reverse("pages:late_bucket", args=["3650+"])]:
        assert world.page.get(url).status_code == 200, url
    api = world.api.get("/late-payments")
    assert api.status_code == 200
    assert [bucket["key"] for bucket in api.json()["buckets"]][-1] == "3650+"


# Invoice dates: every later computation adds days to them


def test_a_due_date_of_9999_is_refused_when_editing_an_invoice(world: World) -> None:
    invoice = world.invoice
    form = {
        "client": world.client.pk,
        "number": invoice.number,
        "issue_date": "2026-09-01",
        "due_date": "9999-12-31",
        "total_excl_tax": "1000,00",
    }
    page = world.page.post(reverse("ledger:invoice_edit", args=[invoice.pk]), form)
    assert page.status_code == 422
    assert page.context["form"].errors["due_date"] == [OUT_OF_RANGE]

    api = world.api.patch(f"/invoices/{invoice.pk}", {"due_date": "9999-12-31"})
    assert errors_at(api, "due_date") == [OUT_OF_RANGE]

    with pytest.raises(ValidationError) as refused:
        services.update_invoice(invoice=invoice, actor=world.owner, due_date=dt.date(9999, 12, 31))
    assert refused.value.message_dict == {"due_date": [OUT_OF_RANGE]}
    invoice.refresh_from_db()
    assert invoice.due_date == dt.date(2026, 10, 1)


def test_a_new_invoice_dated_9999_without_due_date_is_refused_at_its_date(world: World) -> None:
    form = {"client": world.client.pk, "number": "F-9", "issue_date": "9999-12-31", "total_excl_tax": "10"}
    page = world.page.post(reverse("ledger:invoice_create"), form)
    assert page.status_code == 422
    assert page.context["form"].errors["issue_date"] == [OUT_OF_RANGE]

    with pytest.raises(ValidationError) as refused:
        services.create_invoice(
            business=world.business,
            actor=world.owner,
            client=world.client,
            number="F-9",
            issue_date=dt.date(9999, 12, 31),
            total_excl_tax=Decimal("10.00"),
        )
    assert refused.value.message_dict == {"issue_date": [OUT_OF_RANGE]}
    assert not Invoice.objects.filter(number="F-9").exists()


@pytest.mark.parametrize("issue_date", ["9999-12-31", "0001-01-01"])
def test_the_due_date_hint_shows_no_date_for_an_issue_date_out_of_bounds(world: World, issue_date: str) -> None:
    response = world.page.get(reverse("ledger:due_date_hint"), {"issue_date": issue_date})
    assert response.status_code == 200
    assert response.context["default_due_date"] is None


def test_an_invoice_due_on_the_last_accepted_day_keeps_its_pages_working(world: World) -> None:
    invoice = make_invoice(
        world.business, world.client, issue_date=dt.date(2100, 12, 1), due_date=dt.date(2100, 12, 31), number="F-2100"
    )
    reminder = dunning_services.create_reminder(business=world.business, actor=world.owner, invoice_ids=[invoice.pk])
    urls = [
        reverse("pages:client_detail", args=[world.client.pk]),
        reverse("pages:invoice_detail", args=[invoice.pk]),
        reverse("dunning:reminder_edit", args=[reminder.pk]),
        reverse("dunning:reminder_detail", args=[reminder.pk]),
        reverse("dunning:reminder_pdf", args=[reminder.pk]),
        reverse("dunning:reminder_print", args=[reminder.pk]),
    ]
    for url in urls:
        assert world.page.get(url).status_code == 200, url
    dunning_services.save_reminder(reminder=reminder, actor=world.owner)
    for url in urls[3:]:
        assert world.page.get(url).status_code == 200, url


# Other date inputs


@pytest.mark.parametrize(
    ("date_from", "date_to", "field"),
    [("2026-01-01", "9999-12-31", "date_to"), ("0001-01-01", "2026-01-01", "date_from")],
)
def test_an_archive_export_out_of_bounds_is_refused(world: World, date_from: str, date_to: str, field: str) -> None:
    page = world.page.post(reverse("dunning:archive_create"), {"date_from": date_from, "date_to": date_to})
    assert page.status_code == 422
    assert page.context["form"].errors[field] == [OUT_OF_RANGE]

    with pytest.raises(ValidationError) as refused:
        request_archive_export(
            business=world.business,
            actor=world.owner,
            date_from=dt.date.fromisoformat(date_from),
            date_to=dt.date.fromisoformat(date_to),
        )
    assert refused.value.message_dict == {field: [OUT_OF_RANGE]}
    assert not ArchiveExport.objects.exists()


def test_the_history_filter_refuses_dates_out_of_bounds(world: World) -> None:
    response = world.page.get(reverse("dunning:history"), {"date_from": "0001-01-01", "date_to": "9999-12-31"})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert (errors["date_from"], errors["date_to"]) == ([OUT_OF_RANGE], [OUT_OF_RANGE])


def test_a_registered_letter_received_in_9999_is_refused(world: World) -> None:
    reminder = dunning_services.create_reminder(
        business=world.business, actor=world.owner, invoice_ids=[world.invoice.pk], level=3
    )
    reminder = dunning_services.save_reminder(reminder=reminder, actor=world.owner)
    page = world.page.post(
        reverse("dunning:reminder_registered", args=[reminder.pk]), {"number": "1A 234", "receipt_date": "9999-12-31"}
    )
    assert page.status_code == 422
    assert page.context["registered_form"].errors["receipt_date"] == [OUT_OF_RANGE]

    with pytest.raises(ValidationError) as refused:
        dunning_services.record_registered_letter(
            reminder=reminder, actor=world.owner, number="1A 234", receipt_date=dt.date(9999, 12, 31)
        )
    assert refused.value.message_dict == {"receipt_date": [OUT_OF_RANGE]}


# Ids beyond 64 bits


def test_a_reminder_for_an_invoice_id_beyond_64_bits_is_refused(world: World) -> None:
    page = world.page.post(reverse("dunning:reminder_create"), {"invoice_ids": [HUGE_ID]}, follow=True)
    assert page.status_code == 200
    assert "Sélection de factures invalide." in [str(message) for message in page.context["messages"]]

    api = world.api.post("/reminders", {"invoice_ids": [int(HUGE_ID)]})
    assert api.status_code == 422

    with pytest.raises(ValidationError) as refused:
        dunning_services.create_reminder(business=world.business, actor=world.owner, invoice_ids=[HUGE_ID])
    assert refused.value.message_dict == {"invoice_ids": ["Sélection de factures invalide."]}
    assert not Reminder.objects.exists()
