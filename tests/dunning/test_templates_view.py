import pytest
from django.urls import reverse

from core.models import AuditEvent
from dunning.defaults import default_template
from dunning.models import ReminderTemplate


def edit_url(level):
    return reverse("dunning:template_edit", args=[level])


def data_for(level, **overrides):
    data = {key: value for key, value in default_template(level).items() if key != "level"}
    data["include_penalties"] = "on" if data["include_penalties"] else ""
    data.update(overrides)
    return data


def test_templates_entry_opens_level_one(owner_client):
    response = owner_client.get(reverse("dunning:templates"))
    assert response["Location"] == edit_url(1)


def test_template_page_shows_texts_placeholders_and_a_preview(owner_client, business):
    response = owner_client.get(edit_url(2))
    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["nav"] == "settings"
    assert 'aria-current="page">Modèles de relance' in content
    assert ReminderTemplate.objects.filter(business=business).count() == 3
    assert "{relances_precedentes}" in content
    assert "F-2026-048" in content  # the sample invoices of the preview
    assert "Deuxième relance" in content
    assert reverse("dunning:template_preview") in content


def test_saving_a_template_changes_only_that_level(owner_client, business, owner):
    response = owner_client.post(edit_url(1), data_for(1, email_subject="Petit rappel : {facture_numero}"))
    assert response.status_code == 302
    template = ReminderTemplate.objects.get(business=business, level=1)
    assert template.email_subject == "Petit rappel : {facture_numero}"
    assert (
        ReminderTemplate.objects.get(business=business, level=2).email_subject == default_template(2)["email_subject"]
    )
    assert AuditEvent.objects.filter(object_type="remindertemplate", object_id=template.pk, actor=owner).exists()


def test_unknown_placeholder_is_refused_naming_it(owner_client, business):
    response = owner_client.post(edit_url(1), data_for(1, letter_body="Bonjour {nom_client}"))
    assert response.status_code == 422
    assert response.context["form"].errors["letter_body"] == [
        "Variable inconnue : {nom_client}. Utilisez une variable de la liste."
    ]
    assert ReminderTemplate.objects.get(business=business, level=1).letter_body == default_template(1)["letter_body"]


def test_lone_brace_and_empty_text_are_refused(owner_client):
    response = owner_client.post(edit_url(1), data_for(1, email_body="Total { à payer", email_subject=""))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "Accolade isolée" in errors["email_body"][0]
    assert errors["email_subject"] == ["Ce champ est obligatoire."]


def test_live_preview_renders_both_texts_on_sample_data(owner_client):
    response = owner_client.post(
        reverse("dunning:template_preview"),
        {
            "level": 1,
            "email_subject": "Objet {facture_numero}",
            "email_body": "Bonjour {client_nom}\n\n{factures}",
            "letter_subject": "Courrier",
            "letter_body": "Madame, Monsieur, {montant_du} <b>gras</b>",
        },
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Objet F-2026-041, F-2026-048" in content
    assert "Bonjour Boulangerie Durand SARL" in content
    assert "<table" in content  # {factures} as an HTML table in the e-mail
    assert "&lt;b&gt;gras&lt;/b&gt;" in content  # user text is text, never markup


def test_live_preview_lists_unknown_placeholders(owner_client):
    response = owner_client.post(reverse("dunning:template_preview"), {"level": 1, "email_body": "{inconnu}"})
    assert "Variable inconnue : {inconnu}" in response.content.decode()


@pytest.mark.parametrize("level", [0, 4])
def test_unknown_level_is_404(owner_client, level):
    assert owner_client.get(edit_url(level)).status_code == 404


def test_wrong_methods_are_405(owner_client):
    assert owner_client.put(edit_url(1)).status_code == 405
    assert owner_client.get(reverse("dunning:template_preview")).status_code == 405
    assert owner_client.post(reverse("dunning:templates")).status_code == 405


def test_each_business_edits_its_own_templates(owner_client, outsider_client, business, other_business):
    outsider_client.post(edit_url(1), data_for(1, email_subject="Chez le concurrent"))
    assert ReminderTemplate.objects.get(business=other_business, level=1).email_subject == "Chez le concurrent"
    owner_client.get(edit_url(1))
    assert ReminderTemplate.objects.get(business=business, level=1).email_subject != "Chez le concurrent"


def test_anonymous_is_sent_to_login(anonymous_client):
    assert reverse("accounts:login") in anonymous_client.get(edit_url(1))["Location"]
