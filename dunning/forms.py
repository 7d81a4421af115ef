from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Business
from core.dates import DateField
from dunning.channels import channel_for
from dunning.choices import Channel, Level
from dunning.models import Reminder, ReminderTemplate
from dunning.placeholders import template_errors
from ledger.models import Client, Invoice

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def apply_service_errors(form: forms.BaseForm, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's field → message errors on the form's fields (or on top when unknown)."""
    aliases = aliases or {}
    for field, messages in error.message_dict.items():
        name = aliases.get(field, field)
        form.add_error(name if name in form.fields else None, messages)


class PlaceholderCheck:
    """Unknown placeholders reported with the other field errors, all at once (the services check again)."""

    placeholder_fields: tuple[str, ...] = ()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}  # type: ignore[misc]
        for field in self.placeholder_fields:
            for message in template_errors(data.get(field) or ""):
                self.add_error(field, message)  # type: ignore[attr-defined]
        return data


class ReminderEditForm(PlaceholderCheck, forms.Form):
    placeholder_fields = ("subject", "body", "letter_subject", "letter_body")

    channel = forms.ChoiceField(label=_("Canal"), choices=Channel.choices, widget=forms.RadioSelect)
    subject = forms.CharField(label=_("Objet"), max_length=300)
    body = forms.CharField(label=_("Texte"), widget=forms.Textarea(attrs={"rows": 16}))
    letter_subject = forms.CharField(label=_("Objet du courrier joint"), max_length=300, required=False)
    letter_body = forms.CharField(
        label=_("Texte du courrier joint (PDF)"), required=False, widget=forms.Textarea(attrs={"rows": 12})
    )
    include_penalties = forms.BooleanField(label=_("Réclamer les pénalités de retard"), required=False)
    attach_invoice_pdfs = forms.BooleanField(label=_("Joindre les factures d’origine (PDF) à l’e-mail"), required=False)
    invoice_ids = forms.TypedMultipleChoiceField(
        label=_("Factures relancées"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Gardez au moins une facture dans la relance.")},
    )

    def __init__(self, *args: Any, reminder: Reminder, open_invoices: list[Invoice], **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "channel": reminder.channel,
                "subject": reminder.subject,
                "body": reminder.body,
                "letter_subject": reminder.letter_subject,
                "letter_body": reminder.letter_body,
                "include_penalties": reminder.include_penalties,
                "attach_invoice_pdfs": reminder.attach_invoice_pdfs,
                "invoice_ids": [line.invoice_id for line in reminder.lines.all()],
            },
        )
        super().__init__(*args, **kwargs)
        self.reminder = reminder
        invoice_field = self.fields["invoice_ids"]
        assert isinstance(invoice_field, forms.ChoiceField)
        invoice_field.choices = [(invoice.pk, invoice.number) for invoice in open_invoices]
        channel = channel_for(reminder)
        self.fields["subject"].label = channel.subject_label
        self.fields["body"].label = channel.body_label


class TemplateForm(PlaceholderCheck, forms.ModelForm[ReminderTemplate]):
    placeholder_fields = ("letter_subject", "letter_body", "email_subject", "email_body")

    class Meta:
        model = ReminderTemplate
        fields = ["letter_subject", "letter_body", "email_subject", "email_body", "include_penalties"]
        widgets = {
            "letter_body": forms.Textarea(attrs={"rows": 14}),
            "email_body": forms.Textarea(attrs={"rows": 10}),
        }
        error_messages = {
            field: {"required": _("Ce champ est obligatoire.")}
            for field in ["letter_subject", "letter_body", "email_subject", "email_body"]
        }


class RegisteredLetterForm(forms.Form):
    number = forms.CharField(label=_("N° du recommandé (LRAR)"), max_length=50)
    receipt_date = DateField(label=_("Date de réception (accusé)"), required=False, widget=DATE_INPUT)


STATUS_FILTERS = [
    ("", _("Tous")),
    (Reminder.Status.DRAFT, _("Brouillon (pas encore envoyée)")),
    (Reminder.Status.SAVED, _("Enregistrée")),
    (Reminder.Status.SENT, _("Envoyée")),
    (Reminder.Status.SENDING, _("Envoi en cours")),
    (Reminder.Status.SEND_FAILED, _("Échec d’envoi")),
    (Reminder.Status.SEND_UNCERTAIN, _("Envoi incertain")),
]


class HistoryFilterForm(forms.Form):
    date_from = DateField(label=_("Du"), required=False, widget=DATE_INPUT)
    date_to = DateField(label=_("Au"), required=False, widget=DATE_INPUT)
    client = forms.ModelChoiceField(
        label=_("Client"), queryset=Client.objects.none(), required=False, empty_label=_("Tous")
    )
    level = forms.TypedChoiceField(
        label=_("Niveau"), choices=[("", _("Tous")), *Level.choices], coerce=int, required=False, empty_value=None
    )
    channel = forms.ChoiceField(label=_("Canal"), choices=[("", _("Tous")), *Channel.choices], required=False)
    status = forms.ChoiceField(label=_("Statut"), choices=STATUS_FILTERS, required=False)
    inactive = forms.BooleanField(label=_("Afficher les relances désactivées"), required=False)

    def __init__(self, *args: Any, business: Business, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client_field = self.fields["client"]
        assert isinstance(client_field, forms.ModelChoiceField)
        client_field.queryset = Client.objects.filter(
            business=business, pk__in=Reminder.objects.filter(business=business).values("client_id")
        ).only("pk", "name")
        client_field.error_messages["invalid_choice"] = _("Client inconnu.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("La date de fin précède la date de début."))
        return data
