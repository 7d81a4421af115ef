"""What a CSV import of each kind reads, and the column headers that name each field.

Headers are compared once normalised (`csv_format.normalise`: no accents, lower case,
punctuation as spaces), so "N° facture", "Nº Facture" and "n_facture" are the same name. The
names are the ones French invoicing tools and spreadsheets use, among them every header of
Relance's own CSV exports (clients, invoices, payments), which must come back without any
manual mapping. The first name of a field's list wins when several columns could be it (an
"Échéance" column is the due date before a bare "Date" is).
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from imports.csv_format import normalise

CLIENTS, INVOICES, PAYMENTS = "clients", "invoices", "payments"
KINDS = (CLIENTS, INVOICES, PAYMENTS)


@dataclass(frozen=True)
class Field:
    key: str
    label: str | Promise
    required: bool
    names: tuple[str, ...]
    help: str | Promise = ""


_NUMBER = (
    "n facture",
    "n de facture",
    "no facture",
    "no de facture",
    "num facture",
    "numero facture",
    "numero de facture",
    "numero",
    "reference de la facture",
    "reference facture",
    "ref facture",
    "facture",
    "n piece",
    "numero de piece",
    "invoice number",
    "number",
)
_SIREN = ("siren", "n siren", "siren client", "siret", "n siret", "siret client")
_EMAIL = ("email", "e mail", "courriel", "adresse email", "adresse e mail", "email client", "mail")

FIELDS: dict[str, tuple[Field, ...]] = {
    CLIENTS: (
        Field(
            "name",
            _("Nom ou raison sociale"),
            True,
            (
                "nom",
                "nom ou raison sociale",
                "raison sociale",
                "nom client",
                "nom du client",
                "client",
                "societe",
                "entreprise",
                "denomination",
                "name",
            ),
        ),
        Field(
            "kind",
            _("Type (professionnel ou particulier)"),
            False,
            ("type", "type de client", "type client", "categorie"),
        ),
        Field("contact_name", _("Contact"), False, ("contact", "nom du contact", "interlocuteur", "contact principal")),
        Field("email", _("E-mail"), False, _EMAIL),
        Field("phone", _("Téléphone"), False, ("telephone", "tel", "telephone fixe", "portable", "mobile", "phone")),
        Field("address_line1", _("Adresse"), False, ("adresse", "adresse 1", "adresse ligne 1", "rue", "address")),
        Field(
            "address_line2",
            _("Complément d’adresse"),
            False,
            ("complement d adresse", "adresse 2", "adresse ligne 2", "complement"),
        ),
        Field("postal_code", _("Code postal"), False, ("code postal", "cp", "postal code")),
        Field("city", _("Ville"), False, ("ville", "commune", "city")),
        Field("country", _("Pays"), False, ("pays", "country")),
        Field("siren", _("SIREN (ou SIRET)"), False, _SIREN, _("Un SIRET donne son SIREN : ses 9 premiers chiffres.")),
        Field("notes", _("Notes"), False, ("notes", "note", "commentaire", "commentaires")),
    ),
    INVOICES: (
        Field("number", _("N° facture"), True, _NUMBER),
        Field(
            "client",
            _("Client"),
            True,
            ("client", "nom client", "nom du client", "raison sociale", "societe", "destinataire", "customer"),
            _("Le client est retrouvé par son SIREN, sinon par son nom ; il est créé s’il n’existe pas."),
        ),
        Field("siren", _("SIREN du client (ou SIRET)"), False, _SIREN),
        Field("email", _("E-mail du client"), False, _EMAIL),
        Field(
            "issue_date",
            _("Date de facture"),
            True,
            (
                "date de facture",
                "date facture",
                "date de facturation",
                "date facturation",
                "date d emission",
                "date emission",
                "emise le",
                "date de creation",
                "date",
            ),
        ),
        Field(
            "due_date",
            _("Échéance"),
            False,
            (
                "echeance",
                "date d echeance",
                "date echeance",
                "date limite de paiement",
                "date limite de reglement",
                "a regler avant le",
                "due date",
            ),
            _("Vide : calculée selon votre délai de paiement."),
        ),
        Field(
            "total_excl_tax",
            _("Montant HT"),
            False,
            ("montant ht", "total ht", "ht", "montant hors taxes", "total hors taxes"),
        ),
        Field("vat_amount", _("TVA"), False, ("tva", "montant tva", "total tva", "montant de la tva")),
        Field(
            "total_incl_tax",
            _("Montant TTC"),
            False,
            ("montant ttc", "total ttc", "ttc", "montant toutes taxes comprises", "montant", "total"),
            _("Au moins le montant HT ou le montant TTC ; la TVA vide vaut 0."),
        ),
        Field(
            "amount_due",
            _("Reste dû"),
            False,
            ("reste du", "reste a payer", "restant du", "reste a regler", "solde du", "montant du"),
            _("Un reste dû inférieur au TTC enregistre la différence comme un règlement daté du jour de l’import."),
        ),
        Field("notes", _("Notes"), False, ("notes", "note", "commentaire", "commentaires")),
    ),
    PAYMENTS: (
        Field("invoice_number", _("N° facture"), True, _NUMBER),
        Field(
            "date",
            _("Date du règlement"),
            True,
            (
                "date du reglement",
                "date de reglement",
                "date reglement",
                "date de paiement",
                "date paiement",
                "date d encaissement",
                "paye le",
                "regle le",
                "date",
            ),
        ),
        Field(
            "amount",
            _("Montant"),
            True,
            ("montant", "montant regle", "montant du reglement", "montant paye", "montant ttc", "somme"),
        ),
        Field(
            "method",
            _("Moyen de paiement"),
            False,
            (
                "moyen de paiement",
                "mode de paiement",
                "mode de reglement",
                "moyen de reglement",
                "type de paiement",
                "paiement",
            ),
            _("Virement, chèque, carte bancaire, espèces, prélèvement ou autre ; vide : virement."),
        ),
        Field("reference", _("Référence"), False, ("reference", "ref", "reference du reglement", "libelle")),
    ),
}


def fields_of(kind: str) -> tuple[Field, ...]:
    return FIELDS[kind]


def field_label(kind: str, key: str) -> str:
    return next(str(field.label) for field in FIELDS[kind] if field.key == key)


def guess_mapping(kind: str, headers: list[str]) -> dict[str, int]:
    """Field key → column index, for every header recognised; each column serves one field."""
    names = [normalise(header) for header in headers]
    candidates = []
    for field in FIELDS[kind]:
        for rank, name in enumerate(field.names):
            for column, header in enumerate(names):
                if header == name:
                    candidates.append((rank, column, field.key))
    mapping: dict[str, int] = {}
    taken: set[int] = set()
    for _rank, column, key in sorted(candidates):
        if key not in mapping and column not in taken:
            mapping[key] = column
            taken.add(column)
    return mapping


def missing_required(kind: str, mapping: dict[str, int]) -> list[str]:
    return [str(field.label) for field in FIELDS[kind] if field.required and field.key not in mapping]
