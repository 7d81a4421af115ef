"""Default reminder texts, one set per level, written for Relance's users.

Each level has a letter (subject and body) and an e-mail (subject and body). Sentences that
do not always apply (penalties, payment details, the contact's name) are whole-sentence
placeholders that render as nothing when not applicable, so a consumer never reads of the
40 € indemnity and a business without an IBAN gets no dangling "IBAN :".
"""

from typing import Any

CLOSING = "Nous vous prions d’agréer, Madame, Monsieur, l’expression de nos salutations distinguées."
EMAIL_SIGNATURE = "Bien cordialement,\n{signataire}\n{entreprise_nom}"

LEVEL_1 = {
    "level": 1,
    "include_penalties": False,
    "letter_subject": "Rappel : {factures_echues}",
    "letter_body": f"""Madame, Monsieur,

Sauf erreur ou omission de notre part, nous n’avons pas encore reçu le règlement {{factures_texte}}.

{{factures}}

Il s’agit sans doute d’un simple oubli. Nous vous remercions de bien vouloir procéder au règlement de la somme de {{montant_du}} dans les meilleurs délais, et au plus tard le {{date_limite}}.

{{mention_penalites}}

{{modalites_paiement}}

Si votre règlement s’est croisé avec ce courrier, nous vous prions de ne pas tenir compte de ce rappel. Pour toute question, nous restons à votre disposition.

{CLOSING}""",
    "email_subject": "Rappel : {factures_echues}",
    "email_body": f"""Bonjour,

Sauf erreur ou omission de notre part, nous n’avons pas encore reçu le règlement {{factures_texte}}.

{{factures}}

Il s’agit sans doute d’un simple oubli : pourriez-vous procéder au règlement de {{montant_du}} dans les meilleurs délais, et au plus tard le {{date_limite}} ?

{{mention_penalites}}

{{modalites_paiement}}

Vous trouverez notre courrier de rappel en pièce jointe. Si votre règlement s’est croisé avec ce message, merci de ne pas en tenir compte.

{EMAIL_SIGNATURE}""",
}

LEVEL_2 = {
    "level": 2,
    "include_penalties": True,
    "letter_subject": "Deuxième relance : {factures_impayees}",
    "letter_body": f"""Madame, Monsieur,

Malgré {{relances_precedentes}}, nous n’avons toujours pas reçu le règlement {{factures_texte}}. Le retard atteint aujourd’hui {{jours_retard}}.

{{factures}}

{{mention_penalites}}

Nous vous demandons de bien vouloir régler la somme de {{total_du}} sous huit jours, soit au plus tard le {{date_limite}}.

{{modalites_paiement}}

{{base_legale}}

À défaut de règlement dans ce délai, nous vous adresserons une mise en demeure de payer, préalable à une procédure de recouvrement. Si vous rencontrez une difficulté, contactez-nous avant cette date : nous pourrons examiner ensemble un échéancier.

Si votre règlement s’est croisé avec ce courrier, nous vous prions de ne pas tenir compte de cette relance.

{CLOSING}""",
    "email_subject": "Deuxième relance : {factures_impayees}",
    "email_body": f"""Bonjour,

Malgré {{relances_precedentes}}, nous n’avons toujours pas reçu le règlement {{factures_texte}}. Le retard atteint aujourd’hui {{jours_retard}}.

{{factures}}

{{mention_penalites}}

Merci de régler la somme de {{total_du}} au plus tard le {{date_limite}}.

{{modalites_paiement}}

À défaut, nous vous adresserons une mise en demeure de payer. Si vous rencontrez une difficulté, répondez simplement à ce message : nous pourrons convenir d’un échéancier.

Vous trouverez notre courrier de relance en pièce jointe.

{EMAIL_SIGNATURE}""",
}

LEVEL_3 = {
    "level": 3,
    "include_penalties": True,
    "letter_subject": "Mise en demeure de payer – {factures_libelle}",
    "letter_body": f"""Madame, Monsieur,

Malgré {{relances_precedentes}}, nous n’avons toujours pas reçu le règlement {{factures_texte}}.

{{factures}}

{{mention_penalites}}

Par la présente, nous vous mettons en demeure de nous régler la somme de {{total_du}} dans un délai de huit jours à compter de la réception de cette lettre.

{{base_legale}}

À défaut de paiement dans ce délai, nous saisirons sans autre avis la juridiction compétente d’une requête en injonction de payer. Les frais de la procédure suivront alors la décision du juge.

{{modalites_paiement}}

La présente lettre vaut mise en demeure au sens des articles 1344 et suivants du Code civil.

{CLOSING}""",
    "email_subject": "Mise en demeure de payer – {factures_libelle}",
    "email_body": f"""Madame, Monsieur,

Malgré {{relances_precedentes}}, nous n’avons toujours pas reçu le règlement {{factures_texte}}.

{{factures}}

{{mention_penalites}}

Vous trouverez en pièce jointe notre lettre de mise en demeure de payer la somme de {{total_du}} dans un délai de huit jours à compter de sa réception.

{{base_legale}}

À défaut de paiement dans ce délai, nous saisirons la juridiction compétente d’une requête en injonction de payer.

{{modalites_paiement}}

{CLOSING}

{{signataire}}
{{entreprise_nom}}""",
}

TEXT_FIELDS = ("letter_subject", "letter_body", "email_subject", "email_body")


def default_templates() -> list[dict[str, Any]]:
    """Ready for `ReminderTemplate(business=..., **row)`, levels 1 to 3."""
    return [dict(row) for row in (LEVEL_1, LEVEL_2, LEVEL_3)]


def default_template(level: int) -> dict[str, Any]:
    for row in default_templates():
        if row["level"] == level:
            return row
    raise ValueError(f"Niveau de relance inconnu : {level}")
