"""Forms of the ledger pages. They parse input and show it; the services check every rule and write."""

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Business
from core.dates import DateField
from core.money import parse_amount
from ledger.models import Client, InvoiceStatus, Payment
from ledger.services import CLIENT_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # The browser's date picker speaks ISO whatever the display language.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class FrenchDecimalField(forms.DecimalField):
    """An amount typed the French way ("1 234,56", "1234,56 €") or the English way ("1234.56")."""

    widget = forms.TextInput
    default_error_messages = {
        "max_decimal_places": _("Saisissez au plus 2 chiffres après la virgule."),
        "max_digits": _("Ce montant est trop grand."),
        "max_whole_digits": _("Ce montant est trop grand."),
        "min_value": _("Le montant doit être supérieur ou égal à %(limit_value)s."),
    }

    def __init__(self, **kwargs: Any) -> None:
        # The model's DecimalField(max_digits=12, decimal_places=2) bounds the amount already.
        super().__init__(max_digits=12, decimal_places=2, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        return parse_amount(value if isinstance(value, Decimal) else str(value))

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return f"{value:.2f}".replace(".", ",")
        return value


def apply_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError at the fields it names (the rest above the form)."""
    aliases: dict[str, str] = getattr(form, "error_aliases", {})
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            field = aliases.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# Clients


class ClientForm(forms.ModelForm[Client]):
    # Longer than the 9 digits, so that "732 829 320" as people write it gets cleaned, not refused.
    siren = forms.CharField(
        label=_("SIREN"),
        required=False,
        max_length=20,
        help_text=_("9 chiffres, vérifiés avec leur clé de contrôle."),
    )

    class Meta:
        model = Client
        fields = CLIENT_FIELDS
        widgets = {
            "kind": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "pause_until": DateInput,
        }
        help_texts = {
            "email": _("Nécessaire pour relancer par e-mail ; sans adresse, les relances partent par courrier."),
            "pause_reason": _("Obligatoire quand les relances sont en pause."),
            "pause_until": _("Laissez vide pour une pause sans date de fin."),
            "kind": _("Un particulier ne paie ni l’indemnité de 40 € ni de pénalités automatiques."),
        }
        error_messages = {
            "name": {"required": _("Indiquez le nom du client.")},
            "email": {"invalid": _("Saisissez une adresse e-mail valide, par exemple compta@client.fr.")},
        }

    def clean_siren(self) -> str:
        return re.sub(r"[\s.\-]", "", self.cleaned_data.get("siren") or "")


class ClientFilterForm(forms.Form):
    q = forms.CharField(label=_("Rechercher"), required=False, max_length=100)
    sort = forms.ChoiceField(
        label=_("Trier par"),
        required=False,
        choices=[
            ("name", _("Nom (A → Z)")),
            ("-name", _("Nom (Z → A)")),
            ("-balance", _("Encours (du plus élevé)")),
            ("balance", _("Encours (du plus faible)")),
            ("-late_count", _("Factures en retard (les plus nombreuses)")),
            ("late_count", _("Factures en retard (les moins nombreuses)")),
        ],
    )


# Invoices


class InvoiceForm(forms.Form):
    client = forms.ModelChoiceField(
        label=_("Client"),
        queryset=Client.objects.none(),
        empty_label=_("Choisissez un client"),
        error_messages={
            "required": _("Choisissez le client facturé."),
            "invalid_choice": _("Choisissez un client de votre liste."),
        },
    )
    number = forms.CharField(
        label=_("Numéro de facture"), max_length=50, error_messages={"required": _("Indiquez le numéro de la facture.")}
    )
    issue_date = DateField(
        label=_("Date de facture"),
        widget=DateInput,
        error_messages={"required": _("Indiquez la date de la facture."), "invalid": _("Saisissez une date valide.")},
    )
    due_date = DateField(
        label=_("Échéance"),
        required=False,
        widget=DateInput,
        error_messages={"invalid": _("Saisissez une date valide.")},
    )
    total_excl_tax = FrenchDecimalField(
        label=_("Total HT (€)"),
        min_value=Decimal("0.01"),
        error_messages={
            "required": _("Indiquez le total hors taxes."),
            "min_value": _("Le montant doit être supérieur à zéro."),
        },
    )
    vat_amount = FrenchDecimalField(
        label=_("TVA (€)"),
        required=False,
        min_value=Decimal("0"),
        help_text=_("Laissez vide pour la déduire du total TTC, ou zéro."),
        error_messages={"min_value": _("La TVA ne peut pas être négative.")},
    )
    total_incl_tax = FrenchDecimalField(
        label=_("Total TTC (€)"),
        required=False,
        min_value=Decimal("0.01"),
        help_text=_("Laissez vide : il sera calculé (HT + TVA)."),
        error_messages={"min_value": _("Le montant doit être supérieur à zéro.")},
    )
    pdf = forms.FileField(
        label=_("Facture originale (PDF)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
        help_text=_("Un PDF de 5 Mo au plus."),
        error_messages={"empty": _("Ce fichier est vide."), "invalid": _("Ce fichier n’a pas pu être lu.")},
    )
    remove_pdf = forms.BooleanField(label=_("Retirer le PDF actuel"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self, *args: Any, business: Business, has_vat: bool = False, has_pdf: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.business = business
        if not has_pdf:
            del self.fields["remove_pdf"]
        # The default due date is shown, and recomputed when the invoice date changes.
        self.fields["issue_date"].widget.attrs.update(
            {"hx-get": reverse("ledger:due_date_hint"), "hx-trigger": "change", "hx-target": "#due-date-hint"}
        )
        self.fields["due_date"].widget.attrs["aria-describedby"] = "due-date-hint"
        client_field = self.fields["client"]
        assert isinstance(client_field, forms.ModelChoiceField)
        client_field.queryset = Client.objects.filter(business=business).only("id", "name")
        # In VAT franchise there is no VAT to type (art. 293 B du CGI) and TTC equals HT;
        # an invoice that already carries VAT keeps its fields. So does a VAT amount posted
        # anyway (a form opened before the business left VAT): it is read, and the service's
        # refusal shows at its field.
        posted_vat = bool(self.data.get(self.add_prefix("vat_amount")))
        self.vat_franchise = business.vat_status == Business.VatStatus.FRANCHISE and not (has_vat or posted_vat)
        self.error_aliases: dict[str, str] = {}
        if self.vat_franchise:
            del self.fields["vat_amount"]
            del self.fields["total_incl_tax"]
            # TTC is HT here: what the services say about TTC is about the HT typed.
            self.error_aliases = {"vat_amount": "total_excl_tax", "total_incl_tax": "total_excl_tax"}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        excl_tax, vat, incl_tax = data.get("total_excl_tax"), data.get("vat_amount"), data.get("total_incl_tax")
        if self.vat_franchise:
            data["vat_amount"] = Decimal("0.00")
            data["total_incl_tax"] = excl_tax
        elif excl_tax is not None and vat is None and incl_tax is not None:
            if incl_tax < excl_tax:
                self.add_error("total_incl_tax", _("Le total TTC ne peut pas être inférieur au total HT."))
            else:
                data["vat_amount"] = incl_tax - excl_tax
        return data

    def service_data(self) -> dict[str, Any]:
        """The cleaned data as the invoice services take it (the PDF only when it changes)."""
        data = {key: value for key, value in self.cleaned_data.items() if key not in {"pdf", "remove_pdf"}}
        if self.cleaned_data.get("pdf"):
            data["pdf"] = self.cleaned_data["pdf"]
        elif self.cleaned_data.get("remove_pdf"):
            data["pdf"] = ""
        return data


class InvoiceFilterForm(forms.Form):
    SORT_LABELS = [
        ("-issue_date", _("Date (les plus récentes)")),
        ("issue_date", _("Date (les plus anciennes)")),
        ("due_date", _("Échéance (la plus ancienne)")),
        ("-due_date", _("Échéance (la plus lointaine)")),
        ("-amount_due", _("Reste dû (le plus élevé)")),
        ("amount_due", _("Reste dû (le plus faible)")),
        ("-total", _("Total TTC (le plus élevé)")),
        ("total", _("Total TTC (le plus faible)")),
        ("number", _("Numéro (croissant)")),
        ("-number", _("Numéro (décroissant)")),
        ("client", _("Client (A → Z)")),
        ("-client", _("Client (Z → A)")),
    ]
    q = forms.CharField(label=_("Numéro"), required=False, max_length=50)
    status = forms.ChoiceField(
        label=_("Statut"), required=False, choices=[("", _("Tous les statuts")), *InvoiceStatus.choices]
    )
    client = forms.ModelChoiceField(
        label=_("Client"), required=False, queryset=Client.objects.none(), empty_label=_("Tous les clients")
    )
    sort = forms.ChoiceField(label=_("Trier par"), required=False, choices=SORT_LABELS)

    def __init__(self, *args: Any, business: Business, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client_field = self.fields["client"]
        assert isinstance(client_field, forms.ModelChoiceField)
        client_field.queryset = Client.objects.filter(business=business).only("id", "name")


class BucketFilterForm(forms.Form):
    SORTS = {
        "-days_late": ("due_date", "id"),
        "days_late": ("-due_date", "-id"),
        "-amount_due": ("-amount_due", "-id"),
        "amount_due": ("amount_due", "id"),
        "-total": ("-total_incl_tax", "-id"),
        "total": ("total_incl_tax", "id"),
        "number": ("number", "id"),
        "-number": ("-number", "-id"),
        "client": ("client__name", "due_date", "id"),
        "-client": ("-client__name", "due_date", "id"),
        "issue_date": ("issue_date", "id"),
        "-issue_date": ("-issue_date", "-id"),
    }
    SORT_LABELS = [
        ("-days_late", _("Retard (le plus long)")),
        ("days_late", _("Retard (le plus court)")),
        ("-amount_due", _("Reste dû (le plus élevé)")),
        ("amount_due", _("Reste dû (le plus faible)")),
        ("-total", _("Montant (le plus élevé)")),
        ("total", _("Montant (le plus faible)")),
        ("number", _("Numéro (croissant)")),
        ("-number", _("Numéro (décroissant)")),
        ("client", _("Client (A → Z)")),
        ("-client", _("Client (Z → A)")),
        ("issue_date", _("Date de facture (la plus ancienne)")),
        ("-issue_date", _("Date de facture (la plus récente)")),
    ]
    # One client, from a link (`?client=<id>`): looked up only when given, never listed.
    client = forms.ModelChoiceField(label=_("Client"), required=False, queryset=Client.objects.none())
    # What the user types: the bucket's invoices whose client's name contains it.
    q = forms.CharField(
        label=_("Client"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Nom du client"), "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    sort = forms.ChoiceField(label=_("Trier par"), required=False, choices=SORT_LABELS)

    def __init__(self, *args: Any, clients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client_field = self.fields["client"]
        assert isinstance(client_field, forms.ModelChoiceField)
        client_field.queryset = clients


# Payments, credit notes, cancellation


class PaymentForm(forms.Form):
    date = DateField(
        label=_("Date du règlement"),
        widget=DateInput,
        error_messages={"required": _("Indiquez la date du règlement."), "invalid": _("Saisissez une date valide.")},
    )
    amount = FrenchDecimalField(
        label=_("Montant (€)"),
        min_value=Decimal("0.01"),
        error_messages={
            "required": _("Indiquez le montant reçu."),
            "min_value": _("Le montant doit être supérieur à zéro."),
        },
    )
    method = forms.ChoiceField(
        label=_("Moyen de paiement"), choices=Payment.Method.choices, initial=Payment.Method.TRANSFER
    )
    reference = forms.CharField(label=_("Référence"), required=False, max_length=100)


class CreditNoteForm(forms.Form):
    number = forms.CharField(
        label=_("Numéro d’avoir"), max_length=50, error_messages={"required": _("Indiquez le numéro de l’avoir.")}
    )
    date = DateField(
        label=_("Date de l’avoir"),
        widget=DateInput,
        error_messages={"required": _("Indiquez la date de l’avoir."), "invalid": _("Saisissez une date valide.")},
    )
    amount = FrenchDecimalField(
        label=_("Montant TTC (€)"),
        min_value=Decimal("0.01"),
        error_messages={
            "required": _("Indiquez le montant de l’avoir."),
            "min_value": _("Le montant doit être supérieur à zéro."),
        },
    )
    reason = forms.CharField(label=_("Motif"), required=False, max_length=200)


class CancelInvoiceForm(forms.Form):
    cancel_reason = forms.CharField(
        label=_("Motif de l’annulation"),
        max_length=200,
        error_messages={"required": _("Indiquez le motif de l’annulation.")},
    )
