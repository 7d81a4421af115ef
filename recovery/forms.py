"""Forms of the recovery pages. They parse input and show it; the services check every rule and write."""

import secrets
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import DateField
from ledger.forms import DateInput, FrenchDecimalField
from ledger.models import Invoice
from recovery.models import Agency, CaseStatus


class AgencyForm(forms.ModelForm[Agency]):
    commission_rate = FrenchDecimalField(
        label=_("Commission (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        initial=Decimal("0"),
        help_text=_("Sa part de chaque somme recouvrée : un coût pour vous, jamais facturé à votre client."),
        error_messages={"required": _("Indiquez le taux de commission (0 si aucun).")},
    )

    class Meta:
        model = Agency
        fields = ["name", "contact_name", "email", "phone", "address", "commission_rate", "notes"]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {"name": {"required": _("Indiquez le nom de l’agence.")}}


JUDICIAL = "judiciaire"


class CaseForm(forms.Form):
    invoice_ids = forms.TypedMultipleChoiceField(
        label=_("Factures"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Sélectionnez au moins une facture à mettre en recouvrement.")},
    )
    agency = forms.ChoiceField(
        label=_("Confiée à"),
        help_text=_("Une agence de recouvrement, ou vous-même devant le tribunal (injonction de payer)."),
    )
    transmitted_on = DateField(
        label=_("Date de transmission"),
        widget=DateInput,
        error_messages={"required": _("Indiquez la date de transmission."), "invalid": _("Saisissez une date valide.")},
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    documents = forms.CharField(
        label=_("Documents transmis"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Par exemple : factures, mise en demeure et son accusé de réception, décompte des pénalités."),
    )
    confirm_time_barred = forms.BooleanField(
        label=_(
            "Je transmets quand même les factures prescrites, en sachant que seul un paiement volontaire reste possible."
        ),
        required=False,
    )

    def __init__(self, *args: Any, invoices: list[Invoice], agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invoices = invoices
        field = self.fields["invoice_ids"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(invoice.pk, invoice.number) for invoice in invoices]
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ChoiceField)
        agency.choices = [
            (JUDICIAL, _("Procédure judiciaire (sans agence)")),
            *[(str(item.pk), item.name) for item in agencies],
        ]


class EventForm(forms.Form):
    status = forms.ChoiceField(label=_("Nouveau statut"), choices=CaseStatus.choices)
    date = DateField(
        label=_("Date"),
        widget=DateInput,
        error_messages={"required": _("Indiquez la date."), "invalid": _("Saisissez une date valide.")},
    )
    amount = FrenchDecimalField(
        label=_("Montant recouvré (€)"),
        required=False,
        min_value=Decimal("0.01"),
        help_text=_("Enregistré comme règlement sur les factures du dossier, la plus ancienne d’abord."),
        error_messages={"min_value": _("Le montant doit être supérieur à zéro.")},
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(16)


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Statut"), required=False, choices=[("", _("Tous")), *CaseStatus.choices])
    agency = forms.ChoiceField(label=_("Agence"), required=False)
    date_from = DateField(label=_("Transmis du"), required=False, widget=DateInput)
    date_to = DateField(label=_("au"), required=False, widget=DateInput)

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ChoiceField)
        agency.choices = [
            ("", _("Toutes")),
            (JUDICIAL, _("Procédure judiciaire")),
            *[(str(item.pk), item.name) for item in agencies],
        ]
