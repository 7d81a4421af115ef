import hashlib
import secrets
from decimal import Decimal
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import validators
from core.text import validate_one_line


class PaymentTerms(models.TextChoices):
    DAYS_30 = "days_30", _("30 jours")
    EOM_45_THEN = "eom_45_then", _("45 jours fin de mois (date + 45 jours, puis fin de mois)")
    EOM_THEN_45 = "eom_then_45", _("45 jours fin de mois (fin de mois, puis + 45 jours)")
    DAYS_60 = "days_60", _("60 jours")
    CUSTOM_DAYS = "custom_days", _("Nombre de jours personnalisé")


def new_books_version() -> int:
    return secrets.randbits(62)


class Business(models.Model):
    """The micro-entreprise using Relance: the tenant every other row belongs to."""

    class VatStatus(models.TextChoices):
        FRANCHISE = "franchise", _("Franchise en base (TVA non applicable, art. 293 B du CGI)")
        VAT = "vat", _("Assujetti à la TVA (numéro de TVA intracommunautaire)")

    class Activity(models.TextChoices):
        SALES = "sales", _("Vente de marchandises, hébergement")
        SERVICES = "services", _("Prestations de services")

    class PenaltyTerms(models.TextChoices):
        LEGAL = "legal", _("Taux légal par défaut (taux BCE + 10 points)")
        CONTRACT = "contract", _("Taux contractuel")

    class BucketBasis(models.TextChoices):
        DUE_DATE = "due_date", _("Date d’échéance")
        ISSUE_DATE = "issue_date", _("Date de facture")

    legal_name = models.CharField(_("nom légal"), max_length=200, validators=[validate_one_line])
    trade_name = models.CharField(_("nom commercial"), max_length=200, blank=True, validators=[validate_one_line])
    ei_mention = models.BooleanField(
        _("mention « EI »"),
        default=True,
        help_text=_("Obligatoire pour un entrepreneur individuel depuis le 15/05/2022."),
    )
    siret = models.CharField(
        _("SIREN ou SIRET"), max_length=14, blank=True, validators=[validators.validate_siren_or_siret]
    )
    address_line1 = models.CharField(_("adresse"), max_length=200, blank=True, validators=[validate_one_line])
    address_line2 = models.CharField(
        _("complément d’adresse"), max_length=200, blank=True, validators=[validate_one_line]
    )
    postal_code = models.CharField(_("code postal"), max_length=10, blank=True, validators=[validate_one_line])
    city = models.CharField(_("ville"), max_length=100, blank=True, validators=[validate_one_line])
    country = models.CharField(_("pays"), max_length=100, default="France", blank=True, validators=[validate_one_line])
    phone = models.CharField(_("téléphone"), max_length=30, blank=True, validators=[validate_one_line])
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("site web"), blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validators.validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validators.validate_bic])
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True, validators=[validators.validate_logo])
    vat_status = models.CharField(
        _("régime de TVA"), max_length=10, choices=VatStatus.choices, default=VatStatus.FRANCHISE
    )
    vat_number = models.CharField(_("numéro de TVA"), max_length=20, blank=True, validators=[validate_one_line])
    activity = models.CharField(_("activité"), max_length=10, choices=Activity.choices, default=Activity.SERVICES)
    payment_terms = models.CharField(
        _("délai de paiement par défaut"), max_length=20, choices=PaymentTerms.choices, default=PaymentTerms.DAYS_30
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        _("nombre de jours (délai personnalisé)"), null=True, blank=True
    )
    penalty_terms = models.CharField(
        _("pénalités de retard"), max_length=10, choices=PenaltyTerms.choices, default=PenaltyTerms.LEGAL
    )
    contract_rate = models.DecimalField(
        _("taux contractuel (% par an)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    signature_name = models.CharField(
        _("nom du signataire"), max_length=200, blank=True, validators=[validate_one_line]
    )
    signature_title = models.CharField(
        _("qualité du signataire"), max_length=200, blank=True, validators=[validate_one_line]
    )
    sender_name = models.CharField(
        _("nom d’expéditeur des e-mails"), max_length=200, blank=True, validators=[validate_one_line]
    )
    reply_to_email = models.EmailField(_("adresse de réponse (Reply-To)"), blank=True)
    bcc_self = models.BooleanField(_("recevoir une copie cachée de chaque relance envoyée"), default=False)
    bucket_bounds = models.CharField(
        _("tranches de retard (jours)"),
        max_length=100,
        default="30,60,90",
        validators=[validators.validate_bucket_bounds],
        help_text=_("Bornes supérieures des tranches, séparées par des virgules, par exemple 30,60,90."),
    )
    bucket_basis = models.CharField(
        _("compter le retard depuis"), max_length=12, choices=BucketBasis.choices, default=BucketBasis.DUE_DATE
    )
    # Which state of the books the cached late-payment summary was computed from: every write of
    # `ledger.services` draws a new one in its transaction (`accounts.services.books_changed`).
    # A random token rather than a counter: a restored backup or a reused id never meets a
    # summary cached for another state under the same number.
    books_version = models.BigIntegerField(default=new_books_version, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("entreprise")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name with the "EI" mention that professional documents must carry."""
        name = self.trade_name or self.legal_name
        return f"{name} EI" if self.ei_mention and not name.endswith(" EI") else name

    @property
    def siren(self) -> str:
        return self.siret[:9]

    @property
    def vat_mention(self) -> str:
        if self.vat_status == self.VatStatus.FRANCHISE:
            return "TVA non applicable, art. 293 B du CGI"
        return f"N° TVA intracommunautaire : {self.vat_number}" if self.vat_number else ""

    @property
    def bounds(self) -> list[int]:
        return validators.parse_bucket_bounds(self.bucket_bounds)

    @property
    def reply_to(self) -> str:
        return self.reply_to_email or self.email


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who logs in; belongs to one business. Logs in with the e-mail address."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail"), unique=True)
    name = models.CharField(_("nom"), max_length=200, blank=True, validators=[validate_one_line])
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="users", null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []  # email and password only

    objects = UserManager()  # type: ignore[misc,assignment]

    class Meta:
        verbose_name = _("utilisateur")

    def __str__(self) -> str:
        return self.email


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 is stored; the token is shown once."""

    PREFIX = "rl_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nom"), max_length=100, validators=[validate_one_line])
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text=_("Début du jeton, pour le reconnaître."))
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("jeton d’API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def generate(cls, *, user: User, name: str) -> tuple["ApiToken", str]:
        key = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=cls.hash_key(key), hint=key[:10])
        return token, key

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Throttle(models.Model):
    """Attempts counted in a fixed time window, for one scope and key: an e-mail, a client IP or both.

    One row per key, changed by conditional UPDATEs: checking the count and counting the attempt
    are one statement, so parallel requests cannot all pass the check before any is counted.
    Stored in the database (not a per-process cache) so that several web processes share it.
    """

    class Scope(models.TextChoices):
        LOGIN = "login", _("connexion (e-mail et adresse IP)")
        LOGIN_IP = "login_ip", _("connexion (adresse IP)")
        EMAIL = "email", _("e-mails du compte (destinataire)")
        EMAIL_IP = "email_ip", _("e-mails du compte (adresse IP)")

    scope = models.CharField(_("compteur"), max_length=20, choices=Scope.choices)
    # Empty when the scope does not use it, and for a client whose IP is unknown.
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    ip = models.CharField(_("adresse IP"), max_length=45, blank=True)
    hits = models.PositiveIntegerField(_("tentatives"), default=0)
    window_start = models.DateTimeField(_("début de la période"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("limite de tentatives")
        verbose_name_plural = _("limites de tentatives")
        constraints = [models.UniqueConstraint(fields=["scope", "email", "ip"], name="throttle_one_row_per_key")]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} : {self.email or '-'} {self.ip or '-'}"


class PendingSignup(models.Model):
    """A sign-up waiting for its e-mail address to be confirmed; the account is made on confirmation.

    The sign-up page answers the same whether the address already has an account or not; only the
    mailbox's owner learns which, from the e-mail sent there.
    """

    email = models.EmailField(_("e-mail"), db_index=True)
    password = models.CharField(_("mot de passe (empreinte)"), max_length=128)
    business_name = models.CharField(_("nom de l’entreprise"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("inscription en attente")
        verbose_name_plural = _("inscriptions en attente")

    def __str__(self) -> str:
        return self.email
