from django import forms
from django.utils.translation import gettext_lazy as _


class StatementUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Relevé bancaire (OFX, CAMT.053 ou CSV)"),
        help_text=_("Exportez-le depuis l’espace en ligne de votre banque ; 5 Mo au plus."),
        widget=forms.ClearableFileInput(attrs={"accept": ".ofx,.qfx,.xml,.csv,.txt"}),
    )
