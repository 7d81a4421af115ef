"""Other plans (settings page and API), a client's plan or exclusion from its page, an invoice
left out from its page, through the API, and what a scheduler pass then does."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client as HttpClient

from accounts.models import Business, User
from automation import services
from automation.models import AutoReminder, ClientAutomation, InvoiceExclusion, Plan
from automation.scheduler import PassReport
from tests.automation.test_settings_view import posted_steps
from tests.factories import make_client, make_invoice
from tests.helpers import ApiClient, errors_at

pytestmark = pytest.mark.django_db
D = dt.date
SETTINGS = "/automatisation/"


def a_plan(business: Business, owner: User, name: str = "Grands comptes") -> Plan:
    return services.create_plan(business=business, actor=owner, name=name, steps=[{"offset_days": 30, "level": 1}])


def live(plan: Plan) -> list[tuple[int, int, str, bool]]:
    return [(s.offset_days, s.level, s.channel, s.needs_approval) for s in services.plan_steps(plan)]


# The settings page


def test_the_owner_creates_a_plan_with_the_step_editor(business: Business, owner_client: HttpClient) -> None:
    form = owner_client.get(f"{SETTINGS}plans/nouveau/").content.decode()
    assert 'name="name"' in form and 'name="steps-0-offset_days"' in form
    data = {"name": "  Grands   comptes "} | posted_steps((30, 1, "email", False), (60, 3, "letter", True))
    answer = owner_client.post(f"{SETTINGS}plans/nouveau/", data, follow=True)
    assert "Plan « Grands comptes » créé." in answer.content.decode()
    plan = Plan.objects.get(business=business, is_default=False)
    assert plan.name == "Grands comptes"
    assert live(plan) == [(30, 1, "email", False), (60, 3, "letter", True)]
    page = owner_client.get(SETTINGS).content.decode()
    assert "Grands comptes" in page and "J+30" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""} | posted_steps((30, 1, "email", False)), "Donnez un nom au plan."),
        ({"name": "Plan par défaut"} | posted_steps((30, 1, "email", False)), "Un plan porte déjà ce nom."),
        ({"name": "X"} | posted_steps((7, 2, "email", False), (21, 1, "email", False)), "ne redescendent pas"),
        ({"name": "X", "steps-0-offset_days": "", "steps-0-level": "1"}, "au moins une étape"),
    ],
)
def test_a_bad_plan_is_refused_and_nothing_is_made(
    business: Business, owner_client: HttpClient, data: dict[str, str], message: str
) -> None:
    services.default_plan(business)
    answer = owner_client.post(f"{SETTINGS}plans/nouveau/", data)
    assert answer.status_code == 422
    assert message in answer.content.decode()
    assert Plan.objects.filter(business=business).count() == 1


def test_the_owner_edits_a_plan(business: Business, owner: User, owner_client: HttpClient) -> None:
    plan = a_plan(business, owner)
    assert "Grands comptes" in owner_client.get(f"{SETTINGS}plans/{plan.pk}/").content.decode()
    data = {"name": "Lents"} | posted_steps((45, 1, "email", True))
    assert owner_client.post(f"{SETTINGS}plans/{plan.pk}/", data).status_code == 302
    plan.refresh_from_db()
    assert plan.name == "Lents"
    assert live(plan) == [(45, 1, "email", True)]
    bad = owner_client.post(f"{SETTINGS}plans/{plan.pk}/", {"name": "Lents"} | posted_steps((400, 1, "email", False)))
    assert bad.status_code == 422
    assert live(plan) == [(45, 1, "email", True)]


def test_a_plan_followed_by_clients_is_not_deleted(business: Business, owner: User, owner_client: HttpClient) -> None:
    plan = a_plan(business, owner)
    services.set_client_automation(client=make_client(business), actor=owner, plan=plan)
    answer = owner_client.post(f"{SETTINGS}plans/{plan.pk}/supprimer/", follow=True)
    assert "Ce plan est suivi par des clients (1)" in answer.content.decode()
    assert Plan.objects.filter(pk=plan.pk).exists()


def test_an_unused_plan_is_deleted(business: Business, owner: User, owner_client: HttpClient) -> None:
    plan = a_plan(business, owner)
    answer = owner_client.post(f"{SETTINGS}plans/{plan.pk}/supprimer/", follow=True)
    assert "Plan « Grands comptes » supprimé." in answer.content.decode()
    assert not Plan.objects.filter(pk=plan.pk).exists()
    assert owner_client.get(f"{SETTINGS}plans/{plan.pk}/supprimer/").status_code == 405


def test_the_default_plan_is_neither_edited_here_nor_deleted(business: Business, owner_client: HttpClient) -> None:
    default = services.default_plan(business)
    assert owner_client.get(f"{SETTINGS}plans/{default.pk}/").status_code == 302
    answer = owner_client.post(f"{SETTINGS}plans/{default.pk}/supprimer/", follow=True)
    assert "Le plan par défaut ne se supprime pas." in answer.content.decode()
    assert Plan.objects.filter(pk=default.pk).exists()


# The client page and the invoice page


def test_the_client_page_chooses_the_plan_or_leaves_the_client_out(
    business: Business, owner: User, owner_client: HttpClient
) -> None:
    plan = a_plan(business, owner)
    client = make_client(business, name="Durand")
    page = owner_client.get(f"/clients/{client.pk}/").content.decode()
    assert "Relances automatiques" in page
    assert '<option value="" selected>Plan par défaut</option>' in page
    url = f"/automatisation/clients/{client.pk}/"
    answer = owner_client.post(url, {"plan": str(plan.pk)}, follow=True)
    assert "Relances automatiques de Durand : Grands comptes." in answer.content.decode()
    assert f'<option value="{plan.pk}" selected>Grands comptes</option>' in answer.content.decode()
    assert ClientAutomation.objects.get(client=client).plan == plan
    answer = owner_client.post(url, {"plan": "exclu"}, follow=True)
    assert "Durand ne sera plus relancé automatiquement." in answer.content.decode()
    row = ClientAutomation.objects.get(client=client)
    assert (row.plan, row.excluded) == (None, True)
    owner_client.post(url, {"plan": ""})
    row.refresh_from_db()
    assert (row.plan, row.excluded) == (None, False)
    answer = owner_client.post(url, {"plan": "999999"}, follow=True)
    assert "Ce plan n’existe plus" in answer.content.decode()
    assert owner_client.get(url).status_code == 405


def test_the_invoice_page_leaves_an_invoice_out_and_back_in(business: Business, owner_client: HttpClient) -> None:
    invoice = make_invoice(business, make_client(business), number="F-1")
    url = f"/automatisation/factures/{invoice.pk}/"
    assert "Exclure des relances automatiques" in owner_client.get(f"/factures/{invoice.pk}/").content.decode()
    answer = owner_client.post(url, {"excluded": "1"}, follow=True)
    html = answer.content.decode()
    assert "Facture n° F-1 exclue des relances automatiques." in html
    assert "Exclue des relances automatiques" in html and "Réinclure" in html
    assert InvoiceExclusion.objects.filter(invoice=invoice).exists()
    owner_client.post(url, {"excluded": "0"})
    assert not InvoiceExclusion.objects.filter(invoice=invoice).exists()


def test_another_business_gets_404_everywhere(
    business: Business,
    owner: User,
    other_business: Business,
    outsider_client: HttpClient,
    outsider_api: ApiClient,
) -> None:
    plan = a_plan(business, owner)
    client = make_client(business)
    invoice = make_invoice(business, client)
    for url in [f"{SETTINGS}plans/{plan.pk}/", f"{SETTINGS}plans/{plan.pk}/supprimer/"]:
        assert outsider_client.post(url, {"name": "Volé"}).status_code == 404
    assert outsider_client.get(f"{SETTINGS}plans/{plan.pk}/").status_code == 404
    assert outsider_client.post(f"/automatisation/clients/{client.pk}/", {"plan": "exclu"}).status_code == 404
    assert outsider_client.post(f"/automatisation/factures/{invoice.pk}/", {"excluded": "1"}).status_code == 404
    assert outsider_api.patch(f"/automation/plans/{plan.pk}", {"name": "Volé"}).status_code == 404
    assert outsider_api.delete(f"/automation/plans/{plan.pk}").status_code == 404
    assert outsider_api.put(f"/clients/{client.pk}/automation", {"excluded": True}).status_code == 404
    assert outsider_api.put(f"/invoices/{invoice.pk}/automation", {"excluded": True}).status_code == 404
    assert outsider_api.get("/automation/plans").json() == []
    # The outsider's own client cannot be put on this business's plan either.
    theirs = make_client(other_business)
    assert errors_at(outsider_api.put(f"/clients/{theirs.pk}/automation", {"plan_id": plan.pk}), "plan_id") == [
        "Plan introuvable."
    ]
    plan.refresh_from_db()
    assert plan.name == "Grands comptes"
    assert not ClientAutomation.objects.exists() and not InvoiceExclusion.objects.exists()


# API


def test_api_creates_lists_changes_and_deletes_plans(business: Business, api: ApiClient) -> None:
    created = api.post("/automation/plans", {"name": "Grands comptes", "steps": [{"offset_days": 30, "level": 1}]})
    assert created.status_code == 201
    body = created.json()
    assert body == {
        "id": body["id"],
        "name": "Grands comptes",
        "client_count": 0,
        "steps": [{"offset_days": 30, "level": 1, "channel": "email", "needs_approval": False}],
    }
    assert api.get("/automation/plans").json() == [body]
    changed = api.patch(f"/automation/plans/{body['id']}", {"name": "Lents"}).json()
    assert (changed["name"], len(changed["steps"])) == ("Lents", 1)
    assert api.delete(f"/automation/plans/{body['id']}").status_code == 204
    assert api.get("/automation/plans").json() == []


def test_api_refuses_bad_plans_at_their_field(business: Business, owner: User, api: ApiClient) -> None:
    a_plan(business, owner)
    steps = [{"offset_days": 30, "level": 1}]
    assert errors_at(api.post("/automation/plans", {"name": "Grands comptes", "steps": steps}), "name") == [
        "Un plan porte déjà ce nom."
    ]
    assert errors_at(api.post("/automation/plans", {"name": "   ", "steps": steps}), "name")
    same_day = [{"offset_days": 7, "level": 1}, {"offset_days": 7, "level": 2}]
    assert errors_at(api.post("/automation/plans", {"name": "B", "steps": same_day}), "steps")
    assert api.post("/automation/plans", {"name": "B", "steps": steps, "other": 1}).status_code == 422
    assert Plan.objects.filter(business=business).count() == 1


def test_api_refuses_to_delete_a_plan_in_use_or_the_default(business: Business, owner: User, api: ApiClient) -> None:
    plan = a_plan(business, owner)
    client = make_client(business)
    assert api.put(f"/clients/{client.pk}/automation", {"plan_id": plan.pk}).json() == {
        "client_id": client.pk,
        "plan_id": plan.pk,
        "excluded": False,
    }
    assert api.get("/automation/plans").json()[0]["client_count"] == 1
    refused = api.delete(f"/automation/plans/{plan.pk}")
    assert refused.status_code == 409
    assert "suivi par des clients (1)" in refused.json()["detail"]
    default = services.default_plan(business)
    assert api.delete(f"/automation/plans/{default.pk}").status_code == 409
    assert api.patch(f"/automation/plans/{default.pk}", {"name": "Autre"}).status_code == 409
    assert api.put(f"/clients/{client.pk}/automation", {"plan_id": None, "excluded": True}).json() == {
        "client_id": client.pk,
        "plan_id": None,
        "excluded": True,
    }
    assert api.delete(f"/automation/plans/{plan.pk}").status_code == 204


def test_api_leaves_an_invoice_out(business: Business, api: ApiClient) -> None:
    invoice = make_invoice(business, make_client(business))
    assert api.put(f"/invoices/{invoice.pk}/automation", {"excluded": True}).json() == {
        "invoice_id": invoice.pk,
        "excluded": True,
    }
    assert InvoiceExclusion.objects.filter(invoice=invoice).exists()
    assert api.put(f"/invoices/{invoice.pk}/automation", {}).status_code == 422
    assert api.put(f"/invoices/{invoice.pk}/automation", {"excluded": False}).json()["excluded"] is False
    assert not InvoiceExclusion.objects.exists()


# What a pass does with the choices made on the pages


def test_a_pass_follows_the_choices_made_on_the_pages(
    automated: Business, owner: User, owner_client: HttpClient, pass_on: Callable[..., PassReport]
) -> None:
    owner_client.post(f"{SETTINGS}plans/nouveau/", {"name": "Patient"} | posted_steps((30, 2, "email", False)))
    plan = Plan.objects.get(name="Patient")
    patient = make_client(automated, name="Patient SA", email="compta@patient.test")
    usual = make_client(automated, name="Usuel SA", email="compta@usuel.test")
    make_invoice(automated, patient, number="P-1", issue_date=D(2026, 9, 20), due_date=D(2026, 10, 20))
    kept = make_invoice(automated, usual, number="U-1", issue_date=D(2026, 9, 20), due_date=D(2026, 10, 20))
    left_out = make_invoice(automated, usual, number="U-2", issue_date=D(2026, 9, 20), due_date=D(2026, 10, 20))
    owner_client.post(f"/automatisation/clients/{patient.pk}/", {"plan": str(plan.pk)})
    owner_client.post(f"/automatisation/factures/{left_out.pk}/", {"excluded": "1"})
    pass_on(D(2026, 11, 2))  # J+13: the default plan's J+7, not the patient's plan
    made = [
        (r.client.name, r.level, sorted(r.lines.values_list("invoice__number", flat=True)))
        for r in AutoReminder.objects.all()
    ]
    assert made == [("Usuel SA", 1, [kept.number])]
    pass_on(D(2026, 11, 19))  # J+30: the patient's plan's only step, at its level
    made = [(r.client.name, r.level) for r in AutoReminder.objects.filter(client=patient)]
    assert made == [("Patient SA", 2)]
    assert not AutoReminder.objects.filter(lines__invoice=left_out).exists()
    # Once it has sent, the plan stays (its steps count for the one-reminder-per-step rule).
    owner_client.post(f"/automatisation/clients/{patient.pk}/", {"plan": ""})
    answer = owner_client.post(f"{SETTINGS}plans/{plan.pk}/supprimer/", follow=True)
    assert "Ce plan a déjà envoyé des relances" in answer.content.decode()
    assert Plan.objects.filter(pk=plan.pk).exists()
