"""A collection case's life, through its services: opening, every step, every refused one, and
the money recovered reaching the books once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.errors import Conflict
from core.models import AuditEvent
from ledger import services as ledger_services
from ledger.models import Invoice, Payment
from recovery import services
from recovery.models import Agency, CaseStatus, CollectionCase
from tests.factories import make_client, make_invoice

pytestmark = pytest.mark.usefixtures("frozen_today")

DAY = dt.date(2026, 11, 28)


@pytest.fixture
def agency(business, owner) -> Agency:
    return services.create_agency(business=business, actor=owner, name="Recouvr’Express", commission_rate=Decimal("15"))


@pytest.fixture
def invoices(business):
    client = make_client(business, name="Boulangerie Durand")
    return [
        make_invoice(business, client, amount="500.00", number="F-1", issue_date=dt.date(2026, 8, 1)),
        make_invoice(business, client, amount="1000.00", number="F-2", issue_date=dt.date(2026, 9, 1)),
    ]


def open_case(business, owner, invoices, agency=None, **extra) -> CollectionCase:
    return services.open_case(
        business=business,
        actor=owner,
        invoice_ids=[invoice.pk for invoice in invoices],
        agency=agency,
        transmitted_on=extra.pop("transmitted_on", DAY),
        **extra,
    )


def due(invoice: Invoice) -> Decimal:
    return Invoice.objects.get(pk=invoice.pk).amount_due


def test_opening_snapshots_the_amounts_and_takes_the_invoices_out_of_reminders(business, owner, invoices, agency):
    ledger_services.record_payment(invoice=invoices[1], actor=owner, date=DAY, amount="200.00")
    case = open_case(business, owner, invoices, agency, note="Transmis par e-mail")
    assert case.status == CaseStatus.TRANSMITTED
    assert case.commission_rate == Decimal("15.00")
    assert [(line.invoice.number, line.amount_claimed) for line in case.lines.all()] == [
        ("F-1", Decimal("500.00")),
        ("F-2", Decimal("800.00")),
    ]
    assert set(Invoice.objects.values_list("in_collection_since", flat=True)) == {DAY}
    assert [(e.status, e.date, e.note) for e in case.events.all()] == [("transmitted", DAY, "Transmis par e-mail")]
    assert AuditEvent.objects.filter(action="collection_opened", client=case.client).count() == 1


def test_a_later_agency_rate_change_does_not_rewrite_an_open_case(business, owner, invoices, agency):
    case = open_case(business, owner, invoices, agency)
    services.update_agency(agency=agency, actor=owner, commission_rate=Decimal("30"))
    case.refresh_from_db()
    assert case.commission_rate == Decimal("15.00")


def test_judicial_procedure_has_no_agency_and_no_commission(business, owner, invoices):
    case = open_case(business, owner, invoices)
    assert case.agency is None and case.commission_rate == 0
    assert case.agency_label == "Procédure judiciaire"


def test_full_lifecycle_with_money(business, owner, invoices, agency):
    case = open_case(business, owner, invoices, agency)
    services.add_event(case=case, actor=owner, status="in_progress", date=DAY, note="Appel du débiteur")
    event = services.add_event(case=case, actor=owner, status="partially_recovered", date=DAY, amount="700.00")
    # Oldest due date first: F-1 is paid in full, the rest goes to F-2.
    assert (due(invoices[0]), due(invoices[1])) == (Decimal("0.00"), Decimal("800.00"))
    assert sorted(p.amount for p in event.payments.all()) == [Decimal("200.00"), Decimal("500.00")]
    assert {p.reference for p in Payment.objects.all()} == {f"Recouvrement, dossier n° {case.pk}"}
    services.add_event(case=case, actor=owner, status="recovered", date=DAY, amount="800.00")
    assert due(invoices[1]) == 0
    case.refresh_from_db()
    assert case.status == CaseStatus.RECOVERED
    # The case is over: its invoices leave collection.
    assert list(Invoice.objects.values_list("in_collection_since", flat=True)) == [None, None]
    services.add_event(case=case, actor=owner, status="closed", date=DAY)
    assert [e.status for e in case.events.order_by("id")] == [
        "transmitted",
        "in_progress",
        "partially_recovered",
        "recovered",
        "closed",
    ]


def test_user_split_of_an_amount(business, owner, invoices, agency):
    case = open_case(business, owner, invoices, agency)
    services.add_event(
        case=case,
        actor=owner,
        status="partially_recovered",
        date=DAY,
        amount="300.00",
        allocations={invoices[1].pk: "300.00"},
    )
    assert (due(invoices[0]), due(invoices[1])) == (Decimal("500.00"), Decimal("700.00"))


def test_a_split_must_add_up_and_stay_within_each_invoice(business, owner, invoices, agency):
    case = open_case(business, owner, invoices, agency)
    with pytest.raises(ValidationError) as wrong_total:
        services.add_event(
            case=case,
            actor=owner,
            status="partially_recovered",
            date=DAY,
            amount="300",
            allocations={invoices[1].pk: "200"},
        )
    assert wrong_total.value.message_dict == {"allocations": ["La répartition doit totaliser le montant recouvré."]}
    with pytest.raises(ValidationError) as too_much:
        services.add_event(
            case=case,
            actor=owner,
            status="partially_recovered",
            date=DAY,
            amount="600",
            allocations={invoices[0].pk: "600"},
        )
    assert "dépasse son reste dû" in too_much.value.message_dict["allocations"][0]
    assert Payment.objects.count() == 0


def test_recovered_is_refused_while_something_is_still_due(business, owner, invoices, agency):
    case = open_case(business, owner, invoices, agency)
    with pytest.raises(Conflict) as refused:
        services.add_event(case=case, actor=owner, status="recovered", date=DAY, amount="100.00")
    assert "ne peut pas être marqué « recouvrée »" in str(refused.value)
    # Nothing of the refused event stayed: no payment, no event, same status.
    assert Payment.objects.count() == 0
    case.refresh_from_db()
    assert case.status == CaseStatus.TRANSMITTED and case.events.count() == 1


def test_a_closed_case_does_not_reopen(business, owner, invoices, agency):
    case = open_case(business, owner, invoices, agency)
    services.add_event(case=case, actor=owner, status="closed", date=DAY, note="Abandon")
    for status in CaseStatus.values:
        with pytest.raises(Conflict) as refused:
            services.add_event(case=case, actor=owner, status=status, date=DAY)
        assert str(refused.value) == "Ce dossier est clos : il ne se rouvre pas. Ouvrez un nouveau dossier si besoin."
    # Closing gave the invoices back to the reminders, and a new case may take them.
    assert open_case(business, owner, invoices, agency).is_open


@pytest.mark.parametrize(
    ("reached", "refused"),
    [
        ("failed", "in_progress"),
        ("failed", "partially_recovered"),
        ("in_progress", "transmitted"),
        ("partially_recovered", "in_progress"),
    ],
)
def test_refused_transitions(business, owner, invoices, agency, reached, refused):
    case = open_case(business, owner, invoices, agency)
    amount = "100.00" if reached == "partially_recovered" else None
    services.add_event(case=case, actor=owner, status=reached, date=DAY, amount=amount)
    with pytest.raises(Conflict) as error:
        services.add_event(
            case=case,
            actor=owner,
            status=refused,
            date=DAY,
            amount="1.00" if refused == "partially_recovered" else None,
        )
    assert str(error.value) == (
        f"Un dossier « {CaseStatus(reached).label} » ne peut pas passer à « {CaseStatus(refused).label} »."
    )


def test_failure_gives_the_invoices_back_to_the_reminders(business, owner, invoices, agency):
    case = open_case(business, owner, invoices, agency)
    services.add_event(case=case, actor=owner, status="failed", date=DAY, note="Débiteur introuvable")
    assert list(Invoice.objects.values_list("in_collection_since", flat=True)) == [None, None]


def test_event_input_is_checked_at_its_field(business, owner, invoices, agency):
    case = open_case(business, owner, invoices, agency)

    def refused(**kwargs):
        with pytest.raises(ValidationError) as error:
            services.add_event(case=case, actor=owner, **{"status": "partially_recovered", "date": DAY, **kwargs})
        return error.value.message_dict

    assert refused(amount=None) == {"amount": ["Indiquez le montant recouvré."]}
    assert refused(amount="2000.00") == {
        "amount": ["Le montant dépasse le reste dû sur les factures du dossier (1\u202f500,00\u202f€)."]
    }
    assert "amount" in refused(amount="-5")
    assert refused(amount="12.345") == {"amount": ["Montant invalide : un nombre positif, au centime près."]}
    assert refused(status="in_progress", amount="10") == {
        "amount": ["Un montant recouvré s’enregistre avec le statut « partiellement recouvrée » ou « recouvrée »."]
    }
    assert refused(date=DAY + dt.timedelta(days=1), amount="10") == {
        "date": ["La date ne peut pas être dans le futur."]
    }
    assert refused(date=DAY - dt.timedelta(days=1), amount="10") == {
        "date": ["La date ne peut pas précéder la transmission du dossier."]
    }
    assert refused(status="nope") == {"status": ["Statut invalide."]}
    assert Payment.objects.count() == 0


def test_the_same_key_records_once(business, owner, invoices, agency):
    case = open_case(business, owner, invoices, agency)
    first = services.add_event(case=case, actor=owner, status="partially_recovered", date=DAY, amount="300", key="k1")
    again = services.add_event(case=case, actor=owner, status="partially_recovered", date=DAY, amount="300", key="k1")
    assert again.pk == first.pk
    assert Payment.objects.count() == 1 and due(invoices[0]) == Decimal("200.00")


def test_opening_is_refused_for_mixed_clients_taken_paid_or_cancelled_invoices(business, owner, invoices, agency):
    other = make_invoice(business, make_client(business))
    with pytest.raises(ValidationError) as mixed:
        open_case(business, owner, [invoices[0], other])
    assert "un seul client" in mixed.value.message_dict["invoice_ids"][0]
    with pytest.raises(ValidationError):
        open_case(business, owner, [])
    open_case(business, owner, [invoices[0]], agency)
    with pytest.raises(Conflict) as taken:
        open_case(business, owner, invoices, agency)
    assert str(taken.value) == "La facture n° F-1 est déjà en recouvrement dans un dossier ouvert."
    ledger_services.record_payment(invoice=invoices[1], actor=owner, date=DAY, amount="1000.00")
    with pytest.raises(Conflict) as paid:
        open_case(business, owner, [invoices[1]])
    assert str(paid.value) == "La facture n° F-2 est réglée : rien à recouvrer."
    assert CollectionCase.objects.count() == 1


def test_opening_refuses_a_future_date_and_another_business_agency(business, owner, invoices, other_business):
    with pytest.raises(ValidationError) as future:
        open_case(business, owner, invoices, transmitted_on=DAY + dt.timedelta(days=1))
    assert future.value.message_dict == {"transmitted_on": ["La date de transmission ne peut pas être dans le futur."]}
    foreign = services.create_agency(business=other_business, actor=None, name="Ailleurs")
    with pytest.raises(ValidationError) as wrong_agency:
        open_case(business, owner, invoices, foreign)
    assert wrong_agency.value.message_dict == {"agency": ["Agence introuvable."]}
    assert not Invoice.objects.filter(in_collection_since__isnull=False).exists()


def test_a_time_barred_invoice_needs_an_explicit_confirmation(business, owner):
    consumer = make_client(business, kind="consumer", name="M. Martin")
    old = make_invoice(
        business, consumer, number="F-OLD", issue_date=dt.date(2024, 1, 1), due_date=dt.date(2024, 1, 31)
    )
    with pytest.raises(ValidationError) as refused:
        open_case(business, owner, [old])
    message = refused.value.message_dict["confirm_time_barred"][0]
    assert "n° F-OLD (prescrite depuis le 31/01/2026)" in message
    assert "opposant la prescription" in message
    assert Invoice.objects.get(pk=old.pk).in_collection_since is None
    case = open_case(business, owner, [old], confirm_time_barred=True)
    assert case.time_barred_confirmed is True
    assert AuditEvent.objects.get(action="collection_opened").changes["confirmed_time_barred"]


def test_an_agency_with_cases_is_not_deleted(business, owner, invoices, agency):
    spare = services.create_agency(business=business, actor=owner, name="Sans dossier")
    services.delete_agency(agency=spare, actor=owner)
    open_case(business, owner, invoices, agency)
    with pytest.raises(Conflict) as refused:
        services.delete_agency(agency=agency, actor=owner)
    assert "a des dossiers" in str(refused.value)
    assert list(Agency.objects.values_list("name", flat=True)) == ["Recouvr’Express"]


def test_agency_rate_is_bounded(business, owner):
    with pytest.raises(ValidationError) as refused:
        services.create_agency(business=business, actor=owner, name="Chère", commission_rate=Decimal("120"))
    assert refused.value.message_dict == {"commission_rate": ["Le taux de commission ne peut pas dépasser 100 %."]}
