from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import DateField

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
AGED_FORMATS = [("pdf", "PDF"), ("xlsx", "Excel (XLSX)"), ("csv", "CSV")]


class AgedBalanceForm(forms.Form):
    as_of = DateField(
        label=_("Au"),
        widget=DATE_INPUT,
        error_messages={"required": _("Indiquez la date de la balance."), "invalid": _("Saisissez une date valide.")},
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=AGED_FORMATS,
        error_messages={
            "required": _("Choisissez un format : PDF, Excel ou CSV."),
            "invalid_choice": _("Choisissez un format : PDF, Excel ou CSV."),
        },
    )
