"""The "Mises en recouvrement" pages: the tab, opening a case from each place, a case and its
steps, the agencies; and another business getting 404 on every one of them."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from ledger.models import Invoice
from recovery import services
from recovery.models import Agency, CaseStatus, CollectionCase
from tests.factories import make_client, make_invoice, make_reminder

pytestmark = pytest.mark.usefixtures("frozen_today")

LIST = reverse("recovery:case_list")
NEW = reverse("recovery:case_new")
DAY = dt.date(2026, 11, 28)


@pytest.fixture
def agency(business, owner) -> Agency:
    return services.create_agency(business=business, actor=owner, name="Recouvr’Express", commission_rate=Decimal("10"))


def make_case(business, owner, agency=None, amount="1000.00", recovered=None, **client_fields) -> CollectionCase:
    invoice = make_invoice(business, make_client(business, **client_fields), amount=amount)
    case = services.open_case(
        business=business, actor=owner, invoice_ids=[invoice.pk], agency=agency, transmitted_on=dt.date(2026, 11, 2)
    )
    if recovered:
        services.add_event(case=case, actor=owner, status="partially_recovered", date=DAY, amount=recovered)
    return case


def test_tab_lists_cases_with_their_figures_and_totals(owner_client, business, owner, agency):
    make_case(business, owner, agency, recovered="300.00", name="Boulangerie Durand")
    make_case(business, owner, None, amount="500.00", name="Garage Martin")
    response = owner_client.get(LIST)
    assert response.status_code == 200 and response.context["nav"] == "collections"
    content = response.content.decode()
    assert "Boulangerie Durand" in content and "Garage Martin" in content and "Procédure judiciaire" in content
    durand = next(case for case in response.context["cases"] if case.agency_id)
    assert (durand.claimed, durand.recovered, durand.outstanding, durand.commission, durand.age) == (
        Decimal("1000.00"),
        Decimal("300.00"),
        Decimal("700.00"),
        Decimal("30.00"),
        26,
    )
    assert durand.limitation_deadline == dt.date(2031, 10, 1)
    totals = response.context["totals"]
    assert (totals.count, totals.claimed, totals.recovered, totals.outstanding, totals.commission) == (
        2,
        Decimal("1500.00"),
        Decimal("300.00"),
        Decimal("1200.00"),
        Decimal("30.00"),
    )


def test_tab_filters_by_status_agency_and_date(owner_client, business, owner, agency):
    with_agency = make_case(business, owner, agency, recovered="100.00")
    judicial = make_case(business, owner)

    def listed(**params):
        return [case.pk for case in owner_client.get(LIST, params).context["cases"]]

    assert listed(status="partially_recovered") == [with_agency.pk]
    assert listed(agency=str(agency.pk)) == [with_agency.pk]
    assert listed(agency="judiciaire") == [judicial.pk]
    assert listed(date_from="2026-11-03") == []
    assert sorted(listed(date_from="2026-11-02", date_to="2026-11-02")) == sorted([with_agency.pk, judicial.pk])
    assert "Aucun dossier ne correspond" in owner_client.get(LIST, {"status": "closed"}).content.decode()


def test_csv_export_follows_the_filters(owner_client, business, owner, agency):
    make_case(business, owner, agency, recovered="300.00", name="Boulangerie Durand")
    make_case(business, owner, None, name="Garage Martin")
    response = owner_client.get(reverse("recovery:case_export"), {"agency": str(agency.pk)})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:6] == ["Dossier", "Client", "Agence", "Transmis le", "Statut", "Montant transmis"]
    assert len(rows) == 2
    assert rows[1][1:11] == [
        "Boulangerie Durand",
        "Recouvr’Express",
        "2026-11-02",
        "Partiellement recouvrée",
        "1000.00",
        "300.00",
        "700.00",
        "10.00",
        "30.00",
        "26",
    ]


@pytest.mark.parametrize("count", [2, 10])
def test_tab_query_count_is_constant(owner_client, business, owner, agency, django_assert_max_num_queries, count):
    for index in range(count):
        make_case(business, owner, agency if index % 2 else None, recovered="10.00")
        make_reminder(business, owner, invoices=[make_invoice(business)], level=3)
    with django_assert_max_num_queries(10):
        response = owner_client.get(LIST)
    assert len(response.context["cases"]) == count and len(response.context["candidates"]) == count


def test_ready_invoices_are_listed_until_they_enter_a_case(owner_client, business, owner):
    noticed = make_invoice(business, make_client(business, name="Client mis en demeure"), number="F-300")
    notice = make_reminder(business, owner, invoices=[noticed], level=3)
    make_reminder(business, owner, invoices=[make_invoice(business, number="F-100")], level=1)
    response = owner_client.get(LIST)
    assert [row.invoice.number for row in response.context["candidates"]] == ["F-300"]
    content = response.content.decode()
    assert notice.reference in content and "À renseigner" in content and "01/10/2031" in content
    services.open_case(business=business, actor=owner, invoice_ids=[noticed.pk], agency=None, transmitted_on=DAY)
    assert owner_client.get(LIST).context["candidates"] == []


def test_open_from_an_invoice(owner_client, business, owner, agency, late_invoice):
    page = owner_client.get(reverse("pages:invoice_detail", args=[late_invoice.pk])).content.decode()
    assert f"{NEW}?invoice_ids={late_invoice.pk}" in page
    assert "Prescription le 01/10/2031" in page
    form = owner_client.get(NEW, {"invoice_ids": late_invoice.pk})
    assert form.status_code == 200 and form.context["selected"] == {str(late_invoice.pk)}
    response = owner_client.post(
        NEW,
        {
            "invoice_ids": [late_invoice.pk],
            "agency": str(agency.pk),
            "transmitted_on": "2026-11-28",
            "documents": "Facture, mise en demeure",
            "note": "",
        },
    )
    case = CollectionCase.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("recovery:case_detail", args=[case.pk])
    assert case.agency == agency and case.documents == "Facture, mise en demeure"


def test_open_from_the_client_page_preselects_its_late_invoices(owner_client, business, late_invoice):
    late_too = make_invoice(business, late_invoice.client, issue_date=dt.date(2026, 8, 1))
    not_due = make_invoice(business, late_invoice.client, issue_date=dt.date(2026, 11, 20))
    page = owner_client.get(reverse("pages:client_detail", args=[late_invoice.client_id])).content.decode()
    assert f"{NEW}?client={late_invoice.client_id}" in page
    form = owner_client.get(NEW, {"client": late_invoice.client_id})
    assert form.context["selected"] == {str(late_invoice.pk), str(late_too.pk)}
    assert not_due.number in form.content.decode()  # offered, not ticked


def test_open_from_a_formal_notice(owner_client, business, owner, late_invoice):
    notice = make_reminder(business, owner, invoices=[late_invoice], level=3)
    page = owner_client.get(reverse("dunning:reminder_detail", args=[notice.pk])).content.decode()
    assert f"{NEW}?reminder={notice.pk}" in page
    form = owner_client.get(NEW, {"reminder": notice.pk})
    assert form.status_code == 200 and form.context["selected"] == {str(late_invoice.pk)}


def test_open_from_the_bucket_selection(owner_client, business, late_invoice):
    second = make_invoice(business, late_invoice.client, issue_date=dt.date(2026, 9, 10))
    bucket = owner_client.get(reverse("pages:late_bucket", args=["31-60"])).content.decode()
    assert f'formaction="{NEW}"' in bucket
    assert "prescription le 01/10/2031" in bucket
    response = owner_client.post(NEW, {"invoice_ids": [late_invoice.pk, second.pk], "prefill": "1"})
    assert response.status_code == 200 and not CollectionCase.objects.exists()
    assert response.context["selected"] == {str(late_invoice.pk), str(second.pk)}


def test_form_errors_show_at_their_field(owner_client, business, owner):
    consumer = make_client(business, kind="consumer", name="M. Martin")
    old = make_invoice(business, consumer, issue_date=dt.date(2024, 1, 1), due_date=dt.date(2024, 1, 31))
    form = owner_client.get(NEW, {"invoice_ids": old.pk}).content.decode()
    assert "Prescrite depuis le 31/01/2026" in form
    response = owner_client.post(NEW, {"invoice_ids": [old.pk], "agency": "judiciaire", "transmitted_on": "2026-11-28"})
    assert response.status_code == 422
    assert "opposant la prescription" in " ".join(response.context["form"].errors["confirm_time_barred"])
    future = owner_client.post(NEW, {"invoice_ids": [old.pk], "agency": "judiciaire", "transmitted_on": "2026-12-28"})
    assert future.context["form"].errors["transmitted_on"] == [
        "La date de transmission ne peut pas être dans le futur."
    ]
    confirmed = owner_client.post(
        NEW,
        {"invoice_ids": [old.pk], "agency": "judiciaire", "transmitted_on": "2026-11-28", "confirm_time_barred": "on"},
    )
    assert confirmed.status_code == 302 and CollectionCase.objects.get().time_barred_confirmed


def test_nothing_chosen_goes_back_to_the_tab(owner_client):
    response = owner_client.get(NEW, follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert "Choisissez les factures" in response.content.decode()


def test_case_page_records_a_step_with_money(owner_client, business, owner, agency):
    case = make_case(business, owner, agency)
    page = owner_client.get(reverse("recovery:case_detail", args=[case.pk]))
    key = page.context["form"]["key"].value()
    assert page.status_code == 200 and key
    step = {
        "status": "partially_recovered",
        "date": "2026-11-28",
        "amount": "300,00",
        "note": "Virement agence",
        "key": key,
    }
    response = owner_client.post(reverse("recovery:case_event", args=[case.pk]), step, follow=True)
    content = response.content.decode()
    assert "300,00\u202f€ enregistrés comme règlement." in content
    assert "Partiellement recouvrée" in content and "Virement agence" in content
    assert Invoice.objects.get(collection_lines__case=case).amount_due == Decimal("700.00")
    # The same form posted again (a double click) records nothing more.
    owner_client.post(reverse("recovery:case_event", args=[case.pk]), step)
    assert Invoice.objects.get(collection_lines__case=case).amount_due == Decimal("700.00")


def test_case_page_refused_step_says_why(owner_client, business, owner):
    case = make_case(business, owner)
    response = owner_client.post(
        reverse("recovery:case_event", args=[case.pk]), {"status": "recovered", "date": "2026-11-28", "key": "x"}
    )
    assert response.status_code == 409
    assert "ne peut pas être marqué « recouvrée »" in response.content.decode()
    services.add_event(case=case, actor=owner, status="closed", date=DAY)
    closed = owner_client.post(
        reverse("recovery:case_event", args=[case.pk]), {"status": "in_progress", "date": "2026-11-28", "key": "y"}
    )
    assert closed.status_code == 409
    assert "Ce dossier est clos : il ne se rouvre pas." in closed.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_agency_pages(owner_client, business, owner):
    response = owner_client.post(
        reverse("recovery:agency_new"),
        {
            "name": "Cabinet Dupont",
            "contact_name": "",
            "email": "contact@dupont.fr",
            "phone": "",
            "address": "",
            "commission_rate": "12,5",
            "notes": "",
        },
    )
    assert response.status_code == 302
    agency = Agency.objects.get()
    assert agency.commission_rate == Decimal("12.50") and agency.business == business
    bad = owner_client.post(reverse("recovery:agency_new"), {"name": "", "commission_rate": "150"})
    assert bad.status_code == 422
    assert bad.context["form"].errors["name"] == ["Indiquez le nom de l’agence."]
    assert "commission_rate" in bad.context["form"].errors
    edit = owner_client.post(
        reverse("recovery:agency_edit", args=[agency.pk]),
        {
            "name": "Cabinet Dupont & fils",
            "commission_rate": "10",
            "email": "",
            "phone": "",
            "address": "",
            "contact_name": "",
            "notes": "",
        },
    )
    assert edit.status_code == 302
    agency.refresh_from_db()
    assert agency.name == "Cabinet Dupont & fils"
    assert "Cabinet Dupont &amp; fils" in owner_client.get(reverse("recovery:agency_list")).content.decode()
    make_case(business, owner, agency)
    refused = owner_client.post(reverse("recovery:agency_delete", args=[agency.pk]), follow=True)
    assert "a des dossiers" in refused.content.decode() and Agency.objects.exists()


def test_another_business_gets_404_everywhere(outsider_client, business, owner, agency, late_invoice, media_root):
    case = make_case(business, owner, agency)
    notice = make_reminder(business, owner, invoices=[late_invoice], level=3)
    gets = [
        reverse("recovery:case_detail", args=[case.pk]),
        reverse("recovery:case_evidence", args=[case.pk]),
        reverse("recovery:case_summary", args=[case.pk]),
        reverse("recovery:invoice_case", args=[case.lines.get().invoice_id]),
        reverse("recovery:agency_edit", args=[agency.pk]),
        f"{NEW}?invoice_ids={late_invoice.pk}",
        f"{NEW}?client={late_invoice.client_id}",
        f"{NEW}?reminder={notice.pk}",
    ]
    for url in gets:
        assert outsider_client.get(url).status_code == 404, url
    posts = [
        (reverse("recovery:case_event", args=[case.pk]), {"status": "closed", "date": "2026-11-28"}),
        (reverse("recovery:agency_edit", args=[agency.pk]), {"name": "Pirate", "commission_rate": "1"}),
        (reverse("recovery:agency_delete", args=[agency.pk]), {}),
        (NEW, {"invoice_ids": [late_invoice.pk], "agency": "judiciaire", "transmitted_on": "2026-11-28"}),
    ]
    for url, data in posts:
        assert outsider_client.post(url, data).status_code == 404, url
    listing = outsider_client.get(LIST)
    assert list(listing.context["cases"]) == [] and listing.context["candidates"] == []
    assert "Recouvr’Express" not in outsider_client.get(reverse("recovery:agency_list")).content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.TRANSMITTED and Agency.objects.get().name == "Recouvr’Express"
    assert CollectionCase.objects.count() == 1


def test_pages_need_login(anonymous_client):
    assert anonymous_client.get(LIST).status_code == 302


def test_case_page_splits_an_amount_between_invoices(owner_client, business, owner, late_invoice):
    older = make_invoice(business, late_invoice.client, amount="500.00", issue_date=dt.date(2026, 8, 1))
    case = services.open_case(
        business=business, actor=owner, invoice_ids=[late_invoice.pk, older.pk], agency=None, transmitted_on=DAY
    )
    url = reverse("recovery:case_event", args=[case.pk])
    page = owner_client.get(reverse("recovery:case_detail", args=[case.pk])).content.decode()
    assert f'name="part-{late_invoice.pk}"' in page and f'name="part-{older.pk}"' in page
    step = {"status": "partially_recovered", "date": "2026-11-28", "amount": "300", "key": "a"}
    wrong = owner_client.post(url, {**step, f"part-{late_invoice.pk}": "200"})
    assert wrong.status_code == 422
    assert "La répartition doit totaliser le montant recouvré." in wrong.content.decode()
    assert 'value="200"' in wrong.content.decode()
    owner_client.post(url, {**step, f"part-{late_invoice.pk}": "300,00", f"part-{older.pk}": ""})
    assert Invoice.objects.get(pk=late_invoice.pk).amount_due == Decimal("900.00")
    assert Invoice.objects.get(pk=older.pk).amount_due == Decimal("500.00")
