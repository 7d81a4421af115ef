"""Workflows on accounts: sign-up, throttling, business settings, API tokens.

Pages and CLI call these functions; they validate, write in one transaction and raise
`ValidationError` (field → French message).
"""

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import logos, signup_links, validators
from accounts.models import ApiToken, Business, PaymentTerms, PendingSignup, Throttle, User, new_books_version
from accounts.tasks import send_account_exists_email, send_signup_confirmation_email
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

# How long a sign-up confirmation link works, as for a password reset link.
SIGNUP_LINK_INVALID = gettext_lazy(
    "Ce lien d’activation a expiré ou a déjà servi. Inscrivez-vous à nouveau, ou connectez-vous si votre "
    "compte est déjà activé."
)


def _signup_errors(email: str, password: str, business_name: str) -> dict[str, list[str]]:
    """Everything wrong with a sign-up, except whether the address already has an account."""
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError as error:
        errors["email"] = list(error.messages)
    if not business_name:
        errors["business_name"] = [_("Indiquez le nom de votre entreprise.")]
    elif len(business_name) > 200:
        errors["business_name"] = [_("Le nom de l’entreprise ne doit pas dépasser 200 caractères.")]
    else:
        try:
            check_one_line(business_name=business_name)
        except ValidationError as error:
            errors.update(error.message_dict)
    try:
        validate_password(password, user=User(email=email))
    except ValidationError as error:
        errors["password"] = [str(message) for message in error.messages]
    return errors


def _create_account(*, email: str, password_hash: str, business_name: str) -> User:
    try:
        with transaction.atomic():
            business = Business.objects.create(legal_name=business_name)
            user = User.objects.create(email=email, password=password_hash, business=business)
    except IntegrityError:
        # Another sign-up took the address between the check and the insert.
        raise ValidationError({"email": [EMAIL_TAKEN]}) from None
    return user


def signup(*, email: str, password: str, business_name: str) -> User:
    """Create a business and its first user together, or nothing (the operator's `relance signup`)."""
    email = normalize_email(email)
    business_name = (business_name or "").strip()
    errors = _signup_errors(email, password, business_name)
    if "email" not in errors and User.objects.filter(email__iexact=email).exists():
        errors["email"] = [str(EMAIL_TAKEN)]
    if errors:
        raise ValidationError(errors)
    return _create_account(email=email, password_hash=make_password(password), business_name=business_name)


def request_signup(*, email: str, password: str, business_name: str, ip: str | None) -> None:
    """The sign-up page: nothing in the answer tells whether the address already has an account.

    A new address gets a link that creates the account; a known one gets a reminder to log in or
    reset the password, and no account is made. Both e-mails count against the same limits as
    password resets, so the page cannot be used to flood a mailbox.
    """

    email = normalize_email(email)
    business_name = (business_name or "").strip()
    errors = _signup_errors(email, password, business_name)
    if errors:
        raise ValidationError(errors)
    # Hashed whether or not it is kept, so that the time taken does not tell either.
    password_hash = make_password(password)
    if not take_account_email(email=email, ip=ip):
        return
    language = translation.get_language() or settings.LANGUAGE_CODE
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        user_id = existing.pk
        transaction.on_commit(lambda: send_account_exists_email.enqueue(user_id=user_id, language=language))
        return
    expired = timezone.now() - dt.timedelta(days=signup_links.SIGNUP_CONFIRMATION_DAYS)
    PendingSignup.objects.filter(created_at__lt=expired).delete()
    pending = PendingSignup.objects.create(email=email, password=password_hash, business_name=business_name)
    transaction.on_commit(lambda: send_signup_confirmation_email.enqueue(pending_id=pending.pk, language=language))


def pending_signup_for(token: str) -> PendingSignup | None:
    """The sign-up a confirmation link stands for, while the link still works."""
    return signup_links.pending_signups(token).first()


def confirm_signup(*, token: str) -> User:
    """Create the account a confirmation link stands for; the link then stops working."""
    with transaction.atomic():
        # Locked, so that two clicks on the link make one account.
        pending = signup_links.pending_signups(token).select_for_update().first()
        if pending is None:
            raise ValidationError({"token": [SIGNUP_LINK_INVALID]})
        PendingSignup.objects.filter(email=pending.email).delete()
        try:
            return _create_account(
                email=pending.email, password_hash=pending.password, business_name=pending.business_name
            )
        except ValidationError:
            raise ValidationError({"token": [SIGNUP_LINK_INVALID]}) from None


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


# Throttling: logins, and e-mails about an account


class _Refused(Exception):
    """One counter was full: the hits taken on the others are rolled back."""


def _take(
    scope: str, *, email: str, ip: str, limit: int, start: dt.datetime, now: dt.datetime
) -> Literal["refused", "counted", "new"]:
    """Count one attempt if the counter has room; checking and counting are one UPDATE."""
    if limit < 1:
        return "refused"
    counter = Throttle.objects.filter(scope=scope, email=email, ip=ip)
    counter.filter(window_start__lt=start).update(hits=0, window_start=now)
    room = counter.filter(window_start__gte=start, hits__lt=limit)
    if room.update(hits=F("hits") + 1):
        return "counted"
    if counter.exists():
        return "refused"
    try:
        with transaction.atomic():
            Throttle.objects.create(scope=scope, email=email, ip=ip, hits=1, window_start=now)
    except IntegrityError:
        # A parallel request made the row first: count on it like any other.
        return "counted" if room.update(hits=F("hits") + 1) else "refused"
    return "new"


def _take_all(counters: list[tuple[str, str, str, int]], *, window: int) -> bool:
    """One attempt on every (scope, email, ip, limit) counter, or on none of them.

    Counters are always taken in the same order (per e-mail, then per IP), so that parallel
    transactions waiting on each other's rows cannot deadlock.
    """
    now = timezone.now()
    start = now - dt.timedelta(seconds=window)
    # A full counter refuses without taking a write lock: a flood of refused attempts must not
    # queue behind each other (SQLite has one writer at a time). Only the UPDATE below lets one in.
    full = Q()
    for scope, email, ip, limit in counters:
        full |= Q(scope=scope, email=email, ip=ip, hits__gte=limit)
    if Throttle.objects.filter(full, window_start__gte=start).exists():
        return False
    taken = []
    try:
        with transaction.atomic():
            for scope, email, ip, limit in counters:
                outcome = _take(scope, email=email, ip=ip, limit=limit, start=start, now=now)
                if outcome == "refused":
                    raise _Refused
                taken.append(outcome)
    except _Refused:
        return False
    # Cleared when a new key comes: often enough to bound the table, without one more write
    # (one more wait for SQLite's lock) on every attempt.
    if "new" in taken:
        _forget_ended_windows([scope for scope, *_rest in counters], start)
    return True


def _forget_ended_windows(scopes: list[str], start: dt.datetime) -> None:
    """Rows of ended periods count nothing; rows another request holds are left for next time."""
    ended = Throttle.objects.filter(scope__in=scopes, window_start__lt=start)
    with transaction.atomic():
        Throttle.objects.filter(pk__in=ended.select_for_update(skip_locked=True).values("pk")).delete()


def take_login_attempt(*, email: str, ip: str | None) -> bool:
    """Count a login attempt before its password is checked; False when over a limit.

    Per e-mail and client IP together, so that others' failures never lock the owner out, and per
    IP, so that one address cannot try many accounts.
    """
    return _take_all(
        [
            (Throttle.Scope.LOGIN, normalize_email(email), ip or "", settings.LOGIN_THROTTLE_LIMIT),
            (Throttle.Scope.LOGIN_IP, "", ip or "", settings.LOGIN_THROTTLE_IP_LIMIT),
        ],
        window=settings.LOGIN_THROTTLE_WINDOW,
    )


def login_succeeded(*, email: str, ip: str | None) -> None:
    """The right password gives its attempt back: the counters count failures only.

    Failures already counted stay until their period ends: clearing them would let guesses sent
    in parallel with the right password be checked beyond the limit.
    """
    for scope, key_email in [(Throttle.Scope.LOGIN, normalize_email(email)), (Throttle.Scope.LOGIN_IP, "")]:
        Throttle.objects.filter(scope=scope, email=key_email, ip=ip or "", hits__gt=0).update(hits=F("hits") - 1)


def clear_failed_logins(*, email: str) -> None:
    """After a password change, guesses made against the old password no longer count."""
    Throttle.objects.filter(scope=Throttle.Scope.LOGIN, email=normalize_email(email)).delete()


def take_account_email(*, email: str, ip: str | None) -> bool:
    """Count one e-mail about an account (password reset, sign-up) to this address, asked from this IP.

    Counted whether or not the address has an account, so that the limit tells nothing either.
    When the limit for an address is reached, its owner already holds the links sent before,
    valid for days: refusing more does not lock them out.
    """
    return _take_all(
        [
            (Throttle.Scope.EMAIL, normalize_email(email), "", settings.ACCOUNT_EMAIL_LIMIT),
            (Throttle.Scope.EMAIL_IP, "", ip or "", settings.ACCOUNT_EMAIL_IP_LIMIT),
        ],
        window=settings.ACCOUNT_EMAIL_WINDOW,
    )


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
        letter_logo = _letter_logo(data["logo"]) if data.get("logo") else None
        current.save()
        if letter_logo is not None:
            logos.store_letter_copy(Path(current.logo.path), letter_logo)
        changes = {
            field: [before[field], _jsonable(getattr(current, field))]
            for field in data
            if before[field] != _jsonable(getattr(current, field))
        }
        if changes:
            record(business=current, actor=actor, action="settings_updated", obj=current, changes=changes)
        if old_logo and old_logo != current.logo.name:
            storage = current.logo.storage
            transaction.on_commit(lambda: _delete_logo(storage, old_logo))
    return current


def books_changed(business_id: int) -> int:
    """The business's books changed in the current transaction: a summary cached for them is stale.

    A new version is drawn inside the writer's transaction, so it commits or rolls back with the
    write. The row lock it takes lasts until the commit: two writes to one business's books take
    turns here, always after their own invoice or client lock (never before), so no two writers
    wait on each other in opposite orders.
    """
    version = new_books_version()
    Business.objects.filter(pk=business_id).update(books_version=version)
    return version


def _letter_logo(upload: Any) -> bytes:
    """The copy letters print, made once here so that no letter decodes the original."""
    try:
        upload.seek(0)
        return logos.normalised(upload)
    except logos.TooManyPixels:
        raise ValidationError({"logo": validators.logo_too_many_pixels()}) from None
    except (OSError, SyntaxError, ValueError):
        # A header that checks out over pixel data that does not decode (a truncated file).
        raise ValidationError({"logo": validators.logo_unreadable()}) from None
    finally:
        upload.seek(0)


def _delete_logo(storage: Storage, name: str) -> None:
    storage.delete(name)
    storage.delete(logos.letter_copy_name(name))


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
