import secrets
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts import services, validators
from accounts.models import Business, User
from accounts.tasks import send_password_reset_email
from core.money import has_foreign_digits

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

# Advice shown to people, not a password.
PASSWORD_HELP = _("Au moins 8 caractères, pas uniquement des chiffres, ni un mot de passe trop courant.")  # noqa: S105


EMAIL_INVALID = _("Saisissez une adresse e-mail valide.")


def email_field(label: "str | _StrPromise", **attrs: Any) -> forms.EmailField:
    return forms.EmailField(
        label=label,
        max_length=254,
        error_messages={"invalid": EMAIL_INVALID},
        widget=forms.EmailInput(attrs={"autocomplete": "email", **attrs}),
    )


def add_service_errors(form: forms.BaseForm, error: ValidationError, field_map: dict[str, str] | None = None) -> None:
    """Show a service's field → message errors at the form's fields (or above the form)."""
    field_map = field_map or {}
    for field, messages in error.message_dict.items():
        target = field_map.get(field, field)
        form.add_error(target if target in form.fields else None, messages)


class SignupForm(forms.Form):
    email = email_field(_("Adresse e-mail"))
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        help_text=PASSWORD_HELP,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Confirmez le mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    business_name = forms.CharField(
        label=_("Nom de votre entreprise"),
        max_length=200,
        help_text=_("Vous pourrez compléter SIRET, adresse et coordonnées bancaires juste après."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("Les deux mots de passe ne correspondent pas."))
        return data


class LoginForm(forms.Form):
    email = email_field(_("Adresse e-mail"), autofocus=True)
    password = forms.CharField(
        label=_("Mot de passe"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class ResetRequestForm(PasswordResetForm):
    """Django's reset form, sending the e-mail from a background task.

    The task builds a fresh link itself from SITE_URL (not from the request's host, which Django's
    form would use), so the reset token is never stored in the task queue.
    """

    email = email_field(_("Adresse e-mail"))

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        send_password_reset_email.enqueue(
            user_id=context["user"].pk, language=translation.get_language() or settings.LANGUAGE_CODE
        )


if TYPE_CHECKING:
    _SetPasswordForm = SetPasswordForm[User]
else:  # Django's SetPasswordForm takes no type argument at run time.
    _SetPasswordForm = SetPasswordForm


class NewPasswordForm(_SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Nouveau mot de passe")
        self.fields["new_password1"].help_text = PASSWORD_HELP
        self.fields["new_password2"].label = _("Confirmez le nouveau mot de passe")


class ChangePasswordForm(PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Mot de passe actuel")
        self.fields["new_password1"].label = _("Nouveau mot de passe")
        self.fields["new_password1"].help_text = PASSWORD_HELP
        self.fields["new_password2"].label = _("Confirmez le nouveau mot de passe")


def use_our_email_message(form: forms.BaseForm) -> None:
    """Django's French says "courriel" in forms and "e-mail" elsewhere; Relance says e-mail everywhere."""
    for field in form.fields.values():
        if isinstance(field, forms.EmailField):
            field.error_messages["invalid"] = EMAIL_INVALID


class BusinessSectionForm(forms.ModelForm[Business]):
    """One settings section: a subset of the business's fields, with the rules between them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_our_email_message(self)

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        # Shown together with the field errors, rather than only once those are fixed.
        for field, message in services.business_rule_errors(self.instance, set(self._meta.fields or [])).items():
            if field not in self.errors:
                self.add_error(field, message)

    def settings_data(self) -> dict[str, Any]:
        return {field: self.cleaned_data[field] for field in self._meta.fields or []}


class BusinessForm(BusinessSectionForm):
    """Section "Entreprise": identity, address, contact, bank details, logo, VAT."""

    # Wider than the stored values: people type IBAN and SIRET with spaces, removed before saving.
    siret = forms.CharField(
        label=_("SIREN ou SIRET"),
        required=False,
        max_length=30,
        help_text=_("14 chiffres (ou les 9 du SIREN) ; les espaces sont acceptés."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    iban = forms.CharField(
        label=_("IBAN"),
        required=False,
        max_length=50,
        help_text=_("Figure sur vos relances pour faciliter le paiement."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    bic = forms.CharField(
        label=_("BIC"), required=False, max_length=15, widget=forms.TextInput(attrs={"spellcheck": "false"})
    )
    vat_number = forms.CharField(
        label=_("Numéro de TVA intracommunautaire"),
        required=False,
        max_length=30,
        help_text=_("Obligatoire si vous êtes assujetti à la TVA, par exemple FR40 303 265 045."),
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("Image PNG ou JPEG, 1 Mo au plus. Il apparaît en haut de vos lettres."),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    website = forms.URLField(
        label=_("Site web"),
        required=False,
        max_length=200,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    remove_logo = forms.BooleanField(label=_("Supprimer le logo actuel"), required=False)

    class Meta:
        model = Business
        fields = [
            "legal_name",
            "trade_name",
            "ei_mention",
            "siret",
            "activity",
            "address_line1",
            "address_line2",
            "postal_code",
            "city",
            "country",
            "phone",
            "email",
            "website",
            "iban",
            "bic",
            "vat_status",
            "vat_number",
        ]
        widgets = {
            "vat_status": forms.RadioSelect,
            "activity": forms.RadioSelect,
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "address_line1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "address_line2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
        }
        labels = {
            "legal_name": _("Nom légal (nom et prénom de l’entrepreneur)"),
            "ei_mention": _("Ajouter la mention « EI » après le nom"),
            "activity": _("Activité"),
            "vat_status": _("Régime de TVA"),
            "email": _("E-mail de contact"),
        }
        help_texts = {
            "trade_name": _("Le nom sous lequel vos clients vous connaissent, s’il diffère."),
            "activity": _("Sert à suivre le plafond de chiffre d’affaires de la micro-entreprise."),
        }

    def clean_siret(self) -> str:
        return validators.normalize_identifier(self.cleaned_data["siret"])

    def clean_iban(self) -> str:
        return validators.normalize_iban(self.cleaned_data["iban"])

    def clean_bic(self) -> str:
        return str(self.cleaned_data["bic"] or "").strip().upper()

    def clean_vat_number(self) -> str:
        return validators.normalize_identifier(self.cleaned_data["vat_number"]).upper()

    def clean_logo(self) -> UploadedFile[bytes] | None:
        upload: UploadedFile[bytes] | None = self.cleaned_data.get("logo")
        if not upload:
            return None
        image_format = validators.logo_format(upload)
        # A name of our own: nothing of the uploaded name reaches the disk or the URL.
        upload.name = f"logo-{secrets.token_hex(8)}.{'png' if image_format == 'PNG' else 'jpg'}"
        return upload

    def settings_data(self) -> dict[str, Any]:
        data = super().settings_data()
        if self.cleaned_data.get("logo"):
            data["logo"] = self.cleaned_data["logo"]
        elif self.cleaned_data.get("remove_logo"):
            data["logo"] = False
        return data


class TermsForm(BusinessSectionForm):
    """Section "Conditions de paiement et pénalités"."""

    class Meta:
        model = Business
        fields = [
            "payment_terms",
            "payment_terms_days",
            "penalty_terms",
            "contract_rate",
            "bucket_bounds",
            "bucket_basis",
        ]
        widgets = {
            "payment_terms": forms.RadioSelect,
            "penalty_terms": forms.RadioSelect,
            "bucket_basis": forms.RadioSelect,
            "payment_terms_days": forms.NumberInput(attrs={"min": 0, "max": 60, "inputmode": "numeric"}),
            "contract_rate": forms.NumberInput(attrs={"min": "0.01", "step": "0.01", "inputmode": "decimal"}),
        }
        labels = {
            "payment_terms": _("Délai de paiement par défaut"),
            "payment_terms_days": _("Nombre de jours (délai personnalisé)"),
            "penalty_terms": _("Taux appliqué"),
            "contract_rate": _("Taux contractuel (% par an)"),
            "bucket_bounds": _("Tranches de retard (jours)"),
            "bucket_basis": _("Compter le retard depuis"),
        }
        help_texts = {
            "payment_terms_days": _("Obligatoire pour un délai personnalisé : de 0 (paiement à réception) à 60 jours."),
            "contract_rate": _(
                "Obligatoire avec un taux contractuel ; il ne peut pas être inférieur à trois fois le taux "
                "d’intérêt légal."
            ),
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        # Django's number fields read any script's digits ("٤٥" is 45): only 0-9 are accepted,
        # and saying so is clearer than any other complaint about the same field.
        for name in ("payment_terms_days", "contract_rate"):
            if has_foreign_digits(str(self.data.get(self.add_prefix(name), ""))):
                self.errors.pop(name, None)
                self.add_error(name, _("Écrivez le nombre avec les chiffres 0 à 9."))
        return self.cleaned_data


class EmailSettingsForm(BusinessSectionForm):
    """Section "Envoi des e-mails"."""

    class Meta:
        model = Business
        fields = ["sender_name", "reply_to_email", "bcc_self", "signature_name", "signature_title"]
        labels = {
            "sender_name": _("Nom de l’expéditeur"),
            "reply_to_email": _("Adresse de réponse"),
            "bcc_self": _("Recevoir une copie cachée de chaque relance envoyée"),
            "signature_name": _("Nom du signataire"),
            "signature_title": _("Qualité du signataire"),
        }
        help_texts = {
            "sender_name": _(
                "Le nom que vos clients voient dans leur boîte de réception. Par défaut, le nom de l’entreprise."
            ),
            "reply_to_email": _(
                "Les réponses de vos clients arrivent à cette adresse. Par défaut, l’e-mail de contact de l’entreprise."
            ),
            "signature_title": _("Par exemple « Gérante » ou « Entrepreneur individuel »."),
        }
        widgets = {"reply_to_email": forms.EmailInput(attrs={"autocomplete": "email"})}


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Nom du jeton"),
        max_length=100,
        help_text=_("Pour le reconnaître plus tard, par exemple « Logiciel comptable »."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class AccountForm(forms.ModelForm[User]):
    """Section "Mon compte". Changing the login e-mail asks for the password."""

    current_password = forms.CharField(
        label=_("Mot de passe actuel"),
        required=False,
        strip=False,
        help_text=_("Obligatoire seulement pour changer d’adresse e-mail."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    class Meta:
        model = User
        fields = ["name", "email"]
        labels = {"name": _("Votre nom"), "email": _("Adresse e-mail de connexion")}
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "email"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_our_email_message(self)
        self.original_email = self.instance.email

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Un autre compte utilise déjà cette adresse e-mail."))
        return email

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        email = data.get("email")
        if email and email != self.original_email:
            password = data.get("current_password") or ""
            if not self.instance.check_password(password):
                self.add_error(
                    "current_password",
                    _("Saisissez votre mot de passe actuel pour changer d’adresse e-mail.")
                    if not password
                    else _("Mot de passe incorrect."),
                )
        return data
