"""The rate tables as data, updatable without a release (import, fetch, admin).

They are global (the law is the same for every business), not per tenant: only Relance's
administrators (staff) may change them.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from law.rates import ECB_TABLE, LEGAL_TABLE


class EcbRate(models.Model):
    """One change of the ECB main refinancing operations rate."""

    effective_date = models.DateField(
        _("en vigueur à partir du"),
        unique=True,
        error_messages={"unique": _("Un changement de taux à cette date existe déjà : modifiez-le plutôt.")},
    )
    rate = models.DecimalField(_("taux (%)"), max_digits=5, decimal_places=2)
    source = models.TextField(_("source"))

    class Meta:
        ordering = ["-effective_date"]
        verbose_name = _("taux BCE (refinancement)")
        verbose_name_plural = _("taux BCE (refinancement)")

    def __str__(self) -> str:
        return f"{self.rate} % au {self.effective_date:%d/%m/%Y}"


class LegalRate(models.Model):
    """The legal interest rate of one half-year, both columns, as the arrêté fixes them."""

    semester_start = models.DateField(
        _("début du semestre"),
        unique=True,
        help_text=_("Le 1er janvier ou le 1er juillet."),
        error_messages={"unique": _("Ce semestre a déjà ses taux : modifiez-le plutôt.")},
    )
    particuliers = models.DecimalField(
        _("taux « particuliers » (%)"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Créancier personne physique n’agissant pas pour des besoins professionnels."),
    )
    autres = models.DecimalField(
        _("taux « autres cas » (%)"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Tous les autres cas, dont un micro-entrepreneur créancier."),
    )
    source = models.TextField(_("source"), help_text=_("L’arrêté (date, JORF) et une adresse où le lire."))

    class Meta:
        ordering = ["-semester_start"]
        verbose_name = _("taux de l’intérêt légal")
        verbose_name_plural = _("taux de l’intérêt légal")

    def __str__(self) -> str:
        half = "1er" if self.semester_start.month == 1 else "2d"
        return f"{half} semestre {self.semester_start.year}"

    def clean(self) -> None:
        if self.semester_start and (self.semester_start.day != 1 or self.semester_start.month not in (1, 7)):
            raise ValidationError({"semester_start": _("Un semestre commence le 1er janvier ou le 1er juillet.")})


class RateTableStatus(models.Model):
    """Through when a table is known complete, and a version bumped on every change
    (the per-process cache of `law.tables.load_rate_tables` is keyed on it)."""

    TABLES = [(ECB_TABLE, _("Taux BCE")), (LEGAL_TABLE, _("Taux de l’intérêt légal"))]

    table = models.CharField(_("table"), max_length=10, choices=TABLES, unique=True)
    known_through = models.DateField(
        _("connue jusqu’au"),
        null=True,
        blank=True,
        help_text=_("Taux BCE : le dernier jour vérifié. Taux légal : le début du dernier semestre connu."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    note = models.TextField(_("note"), blank=True)
    # The scheduler's fetch of the ECB series (`rates.services.fetch_when_due`): tried once a
    # day from 1 January and 1 July until the new half-year's rate is known.
    fetch_tried_on = models.DateField(_("dernière lecture automatique tentée le"), null=True, blank=True)
    fetch_succeeded_at = models.DateTimeField(_("dernière lecture automatique réussie le"), null=True, blank=True)
    fetch_error = models.TextField(_("erreur de la dernière lecture automatique"), blank=True)

    class Meta:
        verbose_name = _("état d’une table de taux")
        verbose_name_plural = _("état des tables de taux")

    def __str__(self) -> str:
        return self.get_table_display()
