"""Workflows on accounts: sign-up, login throttling, business settings, API tokens.

Pages and CLI call these functions; they validate, write in one transaction and raise
`ValidationError` (field → French message).
"""

import re
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import validators
from accounts.models import ApiToken, Business, FailedLogin, PaymentTerms, User
from core.audit import record
from core.text import check_one_line

# Fields a settings page may change; anything else passed in is ignored.
BUSINESS_FIELDS = [
    "legal_name", "trade_name", "ei_mention", "siret", "address_line1", "address_line2", "postal_code", "city",
    "country", "phone", "email", "website", "iban", "bic", "logo", "vat_status", "vat_number", "activity",
    "payment_terms", "payment_terms_days", "penalty_terms", "contract_rate", "signature_name", "signature_title",
    "sender_name", "reply_to_email", "bcc_self", "bucket_bounds", "bucket_basis",
]  # fmt: skip
EMAIL_TAKEN = gettext_lazy(
    "Un compte existe déjà avec cette adresse e-mail. Connectez-vous ou réinitialisez votre mot de passe."
)
# L441-10 I of the Code de commerce: at most 60 days after the invoice date.
MAX_PAYMENT_DAYS = 60


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


# Sign-up


def signup(*, email: str, password: str, business_name: str) -> User:
    """Create a business and its first user together, or nothing."""
    check_one_line(business_name=business_name)
    email = normalize_email(email)
    business_name = (business_name or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError as error:
        errors["email"] = list(error.messages)
    else:
        if User.objects.filter(email__iexact=email).exists():
            errors["email"] = [str(EMAIL_TAKEN)]
    if not business_name:
        errors["business_name"] = [_("Indiquez le nom de votre entreprise.")]
    elif len(business_name) > 200:
        errors["business_name"] = [_("Le nom de l’entreprise ne doit pas dépasser 200 caractères.")]
    try:
        validate_password(password, user=User(email=email))
    except ValidationError as error:
        errors["password"] = [str(message) for message in error.messages]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            business = Business.objects.create(legal_name=business_name)
            user = User.objects.create_user(email, password, business=business)
    except IntegrityError:
        # Another sign-up took the address between the check and the insert.
        raise ValidationError({"email": [EMAIL_TAKEN]}) from None
    return user


def update_account(*, user: User, name: str, email: str) -> User:
    """The person's own details; the e-mail is also the login."""
    check_one_line(name=name)
    email = normalize_email(email)
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError as error:
        errors["email"] = list(error.messages)
    else:
        if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            errors["email"] = [_("Un autre compte utilise déjà cette adresse e-mail.")]
    if errors:
        raise ValidationError(errors)
    user.name = (name or "").strip()[:200]
    user.email = email
    user.save(update_fields=["name", "email"])
    return user


# Login throttling


def login_throttled(*, email: str, ip: str | None) -> bool:
    """Too many recent failures for this e-mail or from this address: refuse even a right password."""
    recent = FailedLogin.recent(settings.LOGIN_THROTTLE_WINDOW)
    limit = settings.LOGIN_THROTTLE_LIMIT
    if recent.filter(email=normalize_email(email)).count() >= limit:
        return True
    return ip is not None and recent.filter(ip=ip).count() >= limit


def record_failed_login(*, email: str, ip: str | None) -> None:
    FailedLogin.objects.create(email=normalize_email(email)[:254], ip=ip)


def clear_failed_logins(*, email: str) -> None:
    FailedLogin.objects.filter(email=normalize_email(email)).delete()


# Business settings


def _jsonable(value: Any) -> Any:
    if isinstance(value, FieldFile):
        return value.name or ""
    return value if value is None or isinstance(value, bool | int | str) else str(value)


def _normalize_business(business: Business) -> None:
    business.siret = validators.normalize_identifier(business.siret)
    business.iban = validators.normalize_iban(business.iban)
    business.bic = (business.bic or "").strip().upper()
    business.vat_number = validators.normalize_identifier(business.vat_number).upper()
    business.legal_name = business.legal_name.strip()


def business_rule_errors(business: Business, fields: set[str]) -> dict[str, str]:
    """Rules between fields, checked only for the section being saved; clears what a choice makes moot."""
    errors: dict[str, str] = {}
    if fields & {"vat_status", "vat_number"}:
        if business.vat_status == Business.VatStatus.VAT:
            if not business.vat_number:
                errors["vat_number"] = _("Indiquez votre numéro de TVA intracommunautaire (assujetti à la TVA).")
            else:
                try:
                    siren = (
                        business.siren
                        if re.fullmatch(r"\d{9}", business.siren) and validators.luhn_ok(business.siren)
                        else ""
                    )
                    validators.validate_vat_number(business.vat_number, siren=siren)
                except ValidationError as error:
                    errors["vat_number"] = error.messages[0]
        else:
            business.vat_number = ""
    if fields & {"payment_terms", "payment_terms_days"}:
        if business.payment_terms == PaymentTerms.CUSTOM_DAYS:
            if business.payment_terms_days is None:
                errors["payment_terms_days"] = _("Indiquez le nombre de jours du délai personnalisé.")
            elif business.payment_terms_days > MAX_PAYMENT_DAYS:
                errors["payment_terms_days"] = _(
                    "Le délai de paiement ne peut pas dépasser %(days)s jours après la date de facture "
                    "(article L441-10 du Code de commerce)."
                ) % {"days": MAX_PAYMENT_DAYS}
        else:
            business.payment_terms_days = None
    if fields & {"penalty_terms", "contract_rate"}:
        if business.penalty_terms == Business.PenaltyTerms.CONTRACT:
            if business.contract_rate is None:
                errors["contract_rate"] = _("Indiquez le taux contractuel des pénalités de retard.")
            elif business.contract_rate <= 0:
                errors["contract_rate"] = _("Le taux contractuel doit être supérieur à zéro.")
        else:
            business.contract_rate = None
    return errors


def update_business(*, business: Business, actor: User | None, **data: Any) -> Business:
    """Change some of the business's settings (one settings section) and log what changed."""
    data = {key: value for key, value in data.items() if key in BUSINESS_FIELDS}
    with transaction.atomic():
        current = Business.objects.select_for_update().get(pk=business.pk)
        old_logo = current.logo.name
        before = {field: _jsonable(getattr(current, field)) for field in data}
        for field, value in data.items():
            if field == "logo":
                # Same convention as a form's FileField: False clears, a file replaces.
                current.logo = value or ""
            else:
                setattr(current, field, value)
        _normalize_business(current)
        current.full_clean(exclude=[f.name for f in Business._meta.fields if f.name not in data])
        errors = business_rule_errors(current, set(data))
        if errors:
            raise ValidationError(errors)
        current.save()
        changes = {
            field: [before[field], _jsonable(getattr(current, field))]
            for field in data
            if before[field] != _jsonable(getattr(current, field))
        }
        if changes:
            record(business=current, actor=actor, action="settings_updated", obj=current, changes=changes)
        if old_logo and old_logo != current.logo.name:
            storage = current.logo.storage
            transaction.on_commit(lambda: storage.delete(old_logo))
    return current


# API tokens


def create_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new bearer token; the key is returned once and only its hash is kept."""
    check_one_line(name=name)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Donnez un nom au jeton, par exemple « Logiciel comptable ».")})
    if len(name) > 100:
        raise ValidationError({"name": _("Le nom du jeton ne doit pas dépasser 100 caractères.")})
    if user.business_id is None:
        raise ValidationError({"user": _("Ce compte n’est rattaché à aucune entreprise.")})
    with transaction.atomic():
        token, key = ApiToken.generate(user=user, name=name)
        _record_token(token, "token_created", actor=user)
    return token, key


def revoke_token(*, token: ApiToken, actor: User | None = None) -> ApiToken:
    """Revoking twice is harmless: the first revocation date is kept."""
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        token.refresh_from_db(fields=["revoked_at"])
        if updated:
            _record_token(token, "token_revoked", actor=actor)
    return token


def _record_token(token: ApiToken, action: str, *, actor: User | None) -> None:
    business = token.user.business
    if business is not None:
        record(business=business, actor=actor, action=action, obj=token, changes={"name": token.name})
