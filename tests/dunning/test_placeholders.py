import datetime as dt
from dataclasses import replace
from decimal import Decimal

from dunning.facts_types import InvoiceFacts, sample_facts
from dunning.placeholders import (
    PLACEHOLDER_NAMES,
    PLACEHOLDERS,
    build_values,
    render_blocks,
    render_facts,
    render_html,
    render_text,
    template_errors,
    unknown_placeholders,
)

NNBSP = "\u202f"


def one_invoice(**changes):
    facts = sample_facts(level=1)
    return replace(facts, invoices=facts.invoices[:1], **changes)


def many_invoices(count: int):
    facts = sample_facts(level=2)
    invoices = tuple(
        InvoiceFacts(
            number=f"F-{index:03d}",
            issue_date=dt.date(2026, 8, 1),
            due_date=dt.date(2026, 9, 1),
            total=Decimal("100.00"),
            paid=Decimal("0.00"),
            amount_due=Decimal("100.00"),
            days_late=88,
        )
        for index in range(count)
    )
    return replace(facts, invoices=invoices)


# The fixed list and template checks


def test_placeholder_list_has_the_names_the_product_promises():
    required = {
        "client_nom",
        "client_contact",
        "factures",
        "facture_numero",
        "montant_du",
        "echeance",
        "jours_retard",
        "total_du",
        "date_limite",
        "entreprise_nom",
        "signataire",
        "penalites",
        "indemnite",
        "taux",
        "base_legale",
        "iban",
        "date_relance_precedente",
        "reference",
        "mention_penalites",
    }
    assert required <= PLACEHOLDER_NAMES
    assert len(PLACEHOLDERS) == len(PLACEHOLDER_NAMES)
    assert all(description for _, description in PLACEHOLDERS)


def test_unknown_placeholders_are_reported_as_written_once_each():
    text = "Bonjour {client_nom}, {foo} et { bar } puis {foo} et {}."
    assert unknown_placeholders(text) == ["{foo}", "{ bar }", "{}"]


def test_known_placeholder_with_spaces_inside_braces_is_accepted():
    assert unknown_placeholders("{ client_nom }") == []
    assert render_text("{ client_nom }", {"client_nom": "ACME"}) == "ACME"


def test_doubled_braces_are_literal_braces_not_placeholders():
    assert unknown_placeholders("Code {{promo}} et {{ }}") == []
    assert render_text("Code {{promo}}", {}) == "Code {promo}"


def test_python_format_and_attribute_syntax_are_unknown_placeholders():
    text = "{client_nom.__class__} {0} {client_nom!r} {montant_du:>10}"
    assert unknown_placeholders(text) == ["{client_nom.__class__}", "{0}", "{client_nom!r}", "{montant_du:>10}"]


def test_template_errors_name_the_unknown_placeholder_in_french():
    assert template_errors("Bonjour {prenom}") == ["Variable inconnue : {prenom}. Utilisez une variable de la liste."]
    message = template_errors("{a} {b}")[0]
    assert message.startswith("Variables inconnues : {a}, {b}.")


def test_template_errors_report_a_lone_brace():
    assert template_errors("Montant {montant_du") == [
        "Accolade isolée : pour écrire une accolade, doublez-la ({{ ou }})."
    ]
    assert template_errors("Tout va bien {montant_du} {{x}}") == []


# Values


def test_values_exist_for_every_placeholder():
    values = build_values(sample_facts())
    assert set(values) == PLACEHOLDER_NAMES


def test_money_and_dates_use_letter_formats():
    values = build_values(one_invoice())
    assert values["montant_du"] == f"1{NNBSP}200,00{NNBSP}€"
    assert values["echeance"] == "1er octobre 2026"
    assert values["date_limite"] == "6 décembre 2026"  # reminder date 28 November + 8 days


def test_explicit_deadline_replaces_the_eight_days():
    values = build_values(one_invoice(deadline=dt.date(2026, 12, 15)))
    assert values["date_limite"] == "15 décembre 2026"


def test_invoice_numbers_are_comma_separated_and_phrases_agree_in_number():
    single = build_values(one_invoice())
    assert single["facture_numero"] == "F-2026-041"
    assert single["factures_echues"] == "facture n°\u00a0F-2026-041 arrivée à échéance"
    assert single["factures_texte"].startswith("de la facture n°\u00a0F-2026-041 du 1er septembre 2026")
    two = build_values(sample_facts())
    assert two["facture_numero"] == "F-2026-041, F-2026-048"
    assert two["factures_impayees"] == "factures n°\u00a0F-2026-041 et F-2026-048 impayées"
    assert two["factures_texte"] == "des factures n°\u00a0F-2026-041 et F-2026-048"
    many = build_values(many_invoices(10))
    assert many["factures_libelle"] == "10 factures"
    assert many["factures_texte"] == "des 10 factures suivantes"


def test_days_late_is_the_oldest_invoice_with_its_unit():
    assert build_values(sample_facts())["jours_retard"] == "58\u00a0jours"
    facts = one_invoice()
    facts = replace(facts, invoices=(replace(facts.invoices[0], days_late=1),))
    assert build_values(facts)["jours_retard"] == "1\u00a0jour"


def test_total_due_adds_penalties_only_when_included():
    with_penalties = build_values(sample_facts(level=2))
    assert with_penalties["total_du"] == f"1{NNBSP}859,94{NNBSP}€"  # 1750 + 29.94 + 80
    assert with_penalties["penalites"] == f"29,94{NNBSP}€"
    assert with_penalties["indemnite"] == f"80,00{NNBSP}€"
    without = build_values(replace(sample_facts(level=2), include_penalties=False))
    assert without["total_du"] == without["montant_du"] == f"1{NNBSP}750,00{NNBSP}€"
    assert without["penalites"] == without["indemnite"] == without["mention_penalites"] == ""


def test_business_penalty_sentence_itemises_interest_rate_and_indemnity():
    sentence = build_values(sample_facts(level=2))["mention_penalites"]
    assert f"29,94{NNBSP}€" in sentence
    assert f"12,15{NNBSP}%" in sentence
    assert f"l’indemnité forfaitaire pour frais de recouvrement de 80,00{NNBSP}€ (40\u00a0€ par facture)" in sentence
    assert sentence.endswith(f"soit un total dû de 1{NNBSP}859,94{NNBSP}€.")


def test_consumer_is_never_charged_the_fixed_indemnity_even_if_facts_carry_one():
    facts = sample_facts(consumer=True, level=3)
    facts = replace(facts, invoices=tuple(replace(i, indemnity=Decimal("40.00")) for i in facts.invoices))
    values = build_values(facts)
    assert values["indemnite"] == ""
    assert values["total_du"] == values["montant_du"]
    assert values["mention_penalites"] == ""
    assert all(column.key != "indemnity" for column in values["factures"].columns)
    assert "40" not in values["base_legale"]
    assert "1344-1" in values["base_legale"]


def test_consumer_with_legal_interest_after_notice_gets_an_interest_sentence():
    facts = sample_facts(consumer=True, level=3)
    facts = replace(
        facts,
        rates=(Decimal("2.62"),),
        invoices=tuple(replace(i, interest=Decimal("4.24")) for i in facts.invoices),
    )
    sentence = build_values(facts)["mention_penalites"]
    assert sentence.startswith("À cette somme s’ajoutent des intérêts de retard au taux légal de 2,62")
    assert "indemnité" not in sentence


def test_contract_rate_is_named_as_such():
    facts = replace(sample_facts(level=3), rates=(Decimal("15"),), contract_rate=True)
    assert "au taux contractuel de 15,00\u202f% l’an" in build_values(facts)["base_legale"]


def test_rates_of_several_half_years_are_listed_in_order():
    facts = replace(sample_facts(), rates=(Decimal("13.15"), Decimal("12.15"), Decimal("12.15")))
    assert build_values(facts)["taux"] == f"13,15{NNBSP}% puis 12,15{NNBSP}%"


def test_previous_reminders_are_dated():
    values = build_values(sample_facts(level=3))
    assert values["date_relance_precedente"] == "3 novembre 2026"
    assert values["relances_precedentes"] == "nos relances des 12 octobre 2026 et 3 novembre 2026"
    first = build_values(sample_facts(level=1))
    assert first["date_relance_precedente"] == ""
    assert first["relances_precedentes"] == "nos précédents rappels"


def test_payment_sentence_gives_iban_and_reference_or_only_the_reference():
    values = build_values(sample_facts())
    assert values["modalites_paiement"] == (
        "Vous pouvez régler par virement sur notre compte IBAN FR76 3000 6000 0112 3456 7890 189 "
        "(BIC AGRIFRPP), en indiquant la référence R-2026-0042."
    )
    facts = sample_facts()
    no_iban = replace(facts, business=replace(facts.business, iban="", bic=""))
    assert (
        build_values(no_iban)["modalites_paiement"] == "Merci d’indiquer la référence R-2026-0042 avec votre règlement."
    )


# Rendering


def test_render_text_replaces_placeholders_and_keeps_paragraphs():
    text = "Madame, Monsieur,\n\nMontant : {montant_du}\nClient : {client_nom}\n\n\n\nFin."
    rendered = render_text(text, build_values(one_invoice()))
    assert rendered == (
        f"Madame, Monsieur,\n\nMontant : 1{NNBSP}200,00{NNBSP}€\nClient : Boulangerie Durand SARL\n\nFin."
    )


def test_factures_alone_on_its_line_renders_a_text_table_with_totals():
    rendered = render_text("Détail :\n\n{factures}\n\nMerci.", build_values(sample_facts(level=2)))
    lines = rendered.split("\n")
    assert lines[2].startswith("N° facture")
    assert any(line.startswith("F-2026-041") and "58\u00a0j" in line for line in lines)
    assert any(line.startswith("Total") and f"1{NNBSP}750,00{NNBSP}€" in line for line in lines)
    assert f"Total dû, pénalités comprises : 1{NNBSP}859,94{NNBSP}€" in rendered
    assert rendered.endswith("Merci.")


def test_factures_inside_a_sentence_renders_as_text():
    rendered = render_text("Factures : {factures}.", build_values(sample_facts()))
    assert rendered == f"Factures : n°\u00a0F-2026-041 (1{NNBSP}200,00{NNBSP}€), n°\u00a0F-2026-048 (550,00{NNBSP}€)."


def test_line_whose_optional_sentence_is_empty_disappears_without_a_gap():
    text = "Bonjour,\n\n{mention_penalites}\n\nMerci de régler {montant_du}."
    rendered = render_text(text, build_values(one_invoice()))
    assert rendered == f"Bonjour,\n\nMerci de régler 1{NNBSP}200,00{NNBSP}€."


def test_unknown_placeholder_is_left_visible_when_rendering():
    assert render_text("Bonjour {prenom}", {}) == "Bonjour {prenom}"


def test_values_are_never_interpreted_again():
    facts = one_invoice()
    facts = replace(facts, client=replace(facts.client, name="{montant_du} {{x}}"))
    assert render_text("{client_nom}", build_values(facts)) == "{montant_du} {{x}}"


def test_render_html_escapes_a_client_named_script():
    facts = one_invoice()
    facts = replace(facts, client=replace(facts.client, name="<script>alert(1)</script>"))
    html = render_html("Bonjour {client_nom},\nsuite", build_values(facts))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html == "<p>Bonjour &lt;script&gt;alert(1)&lt;/script&gt;,<br>\nsuite</p>"


def test_render_html_escapes_the_users_own_text_and_table_values():
    facts = one_invoice()
    facts = replace(facts, invoices=(replace(facts.invoices[0], number='<img src=x onerror="x">'),))
    html = render_html("<b>Important</b> & urgent\n\n{factures}", build_values(facts))
    assert "<b>" not in html and "<img" not in html
    assert "&lt;b&gt;Important&lt;/b&gt; &amp; urgent" in html
    assert "&lt;img src=x onerror=&quot;x&quot;&gt;" in html


def test_render_html_puts_the_invoice_table_between_paragraphs():
    html = render_html("Avant\n{factures}\nAprès", build_values(sample_facts(level=2)))
    before, table, after = html.split("\n")
    assert before == "<p>Avant</p>" and after == "<p>Après</p>"
    assert table.startswith('<table class="letter-invoices"') and table.endswith("</table>")
    assert table.count("<tr>") == 1 + 2 + 2  # head, two invoices, totals and total due
    assert "Intérêts" in table and "Indemnité" in table
    assert "text-align:right" in table


def test_render_blocks_gives_data_only_with_the_table_where_it_stands_alone():
    blocks = render_blocks(
        "Madame,\n\nLigne 1\nLigne {client_nom}\n\n  {factures}  \n\nMerci {factures}", build_values(sample_facts())
    )
    assert blocks == [
        {"type": "paragraph", "text": "Madame,"},
        {"type": "paragraph", "text": "Ligne 1\nLigne Boulangerie Durand SARL"},
        {"type": "invoices"},
        {
            "type": "paragraph",
            "text": f"Merci n°\u00a0F-2026-041 (1{NNBSP}200,00{NNBSP}€), n°\u00a0F-2026-048 (550,00{NNBSP}€)",
        },
    ]


def test_render_facts_gives_one_line_subject():
    assert (
        render_facts("Rappel :\n{factures_echues}", one_invoice())
        == "Rappel : facture n°\u00a0F-2026-041 arrivée à échéance"
    )


def test_windows_line_endings_are_paragraphs_too():
    assert render_blocks("A\r\n\r\nB", {}) == [{"type": "paragraph", "text": "A"}, {"type": "paragraph", "text": "B"}]


# From the models (attributes only)


def test_facts_are_built_from_business_and_client_rows(business):
    from dunning.facts_types import BusinessFacts, ClientFacts
    from tests.factories import make_client

    business.iban = "FR7630006000011234567890189"
    client = make_client(business, name="Durand SARL", contact_name="Paul Durand", kind="consumer", country="Belgique")
    facts = BusinessFacts.from_business(business)
    assert facts.name == f"{business.legal_name} EI"
    assert facts.address_lines == ("12 rue des Lilas", "69003 Lyon")
    assert facts.city == "Lyon"
    assert facts.vat_mention == "TVA non applicable, art. 293 B du CGI"
    assert facts.signatory_name == "Camille Martin"
    client_facts = ClientFacts.from_client(client)
    assert client_facts == ClientFacts(
        name="Durand SARL",
        contact="Paul Durand",
        address_lines=("3 place Bellecour", "69002 Lyon", "BELGIQUE"),
        email="compta@client.test",
        is_consumer=True,
    )
