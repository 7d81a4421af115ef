import re
from dataclasses import replace

import pytest

from dunning.defaults import TEXT_FIELDS, default_template, default_templates
from dunning.facts_types import sample_facts
from dunning.models import ReminderTemplate
from dunning.placeholders import (
    build_values,
    render_blocks,
    render_facts,
    render_html,
    render_text,
    template_errors,
)

LEVELS = [1, 2, 3]
KINDS = [False, True]  # consumer?


def test_one_default_per_level_with_penalties_from_the_second():
    rows = default_templates()
    assert [row["level"] for row in rows] == LEVELS
    assert [row["include_penalties"] for row in rows] == [False, True, True]


@pytest.mark.parametrize("level", LEVELS)
def test_defaults_use_only_known_placeholders(level):
    row = default_template(level)
    for field in TEXT_FIELDS:
        assert template_errors(row[field]) == [], (level, field)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("consumer", KINDS)
def test_defaults_render_without_leftover_braces(level, consumer):
    row = default_template(level)
    facts = sample_facts(consumer=consumer, level=level)
    values = build_values(facts)
    for field in TEXT_FIELDS:
        text = render_text(row[field], values)
        assert "{" not in text and "}" not in text, (field, text)
        assert "\n\n\n" not in text
        html = render_html(row[field], values)
        assert "{" not in html and "}" not in html
        for block in render_blocks(row[field], values):
            assert "{" not in block.get("text", "")


@pytest.mark.parametrize("level", LEVELS)
def test_consumer_letters_never_claim_the_fixed_indemnity(level):
    row = default_template(level)
    values = build_values(sample_facts(consumer=True, level=level))
    for field in TEXT_FIELDS:
        text = render_text(row[field], values)
        assert "40" not in text.replace("F-2026-041", "")
        assert "indemnité" not in text.lower()
        assert "frais de recouvrement" not in text


def test_business_second_reminder_itemises_penalties_and_announces_formal_notice():
    text = render_text(default_template(2)["letter_body"], build_values(sample_facts(level=2)))
    assert "notre relance du 12 octobre 2026" in text
    assert "pénalités de retard de 29,94\u202f€" in text
    assert "indemnité forfaitaire pour frais de recouvrement de 80,00\u202f€" in text
    assert "au plus tard le 6 décembre 2026" in text
    assert "mise en demeure de payer" in text


def test_first_reminder_is_courteous_and_assumes_an_oversight():
    text = render_text(default_template(1)["letter_body"], build_values(sample_facts(level=1)))
    assert text.startswith("Madame, Monsieur,\n\nSauf erreur ou omission de notre part")
    assert "Si votre règlement s’est croisé avec ce courrier" in text
    assert "pénalités" not in text
    assert "mise en demeure" not in text


@pytest.mark.parametrize("consumer", KINDS)
def test_formal_notice_lists_reminders_gives_deadline_legal_effect_and_consequence(consumer):
    text = render_text(default_template(3)["letter_body"], build_values(sample_facts(consumer=consumer, level=3)))
    assert "nos relances des 12 octobre 2026 et 3 novembre 2026" in text
    assert "dans un délai de huit jours à compter de la réception" in text
    assert "injonction de payer" in text
    assert "1344" in text
    if consumer:
        assert "article 1344-1 du Code civil, la présente mise en demeure fait courir les intérêts" in text
    else:
        assert "L441-10" in text


def test_subjects_follow_the_level():
    one = sample_facts(level=1)
    one = replace(one, invoices=one.invoices[:1])
    assert render_facts(default_template(1)["letter_subject"], one) == (
        "Rappel : facture n°\u00a0F-2026-041 arrivée à échéance"
    )
    assert render_facts(default_template(2)["letter_subject"], sample_facts()) == (
        "Deuxième relance : factures n°\u00a0F-2026-041 et F-2026-048 impayées"
    )
    assert render_facts(default_template(3)["email_subject"], sample_facts(level=3)).startswith(
        "Mise en demeure de payer"
    )


def test_email_bodies_are_signed_and_letters_end_with_a_closing_formula():
    for row in default_templates():
        assert row["letter_body"].rstrip().endswith("salutations distinguées.")
        assert row["email_body"].rstrip().endswith("{entreprise_nom}")
        assert re.search(r"\{factures\}\n", row["letter_body"]), "the letter shows the invoice table"


@pytest.mark.django_db
def test_defaults_fit_the_reminder_template_model(business):
    for row in default_templates():
        template = ReminderTemplate(business=business, **row)
        template.full_clean()
        template.save()
    assert list(business.reminder_templates.values_list("level", flat=True)) == LEVELS
