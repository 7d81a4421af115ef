"""Rate tables in /admin/: add a half-year's legal rate (or an ECB change) with its source."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from law.rates import ECB_TABLE, LEGAL_TABLE, HalfYear
from rates import services
from rates.models import EcbRate, LegalRate, RateTableStatus

RATE_BOUNDS = (Decimal("-10"), Decimal("50"))


def _check_rate(value: Decimal | None) -> Decimal | None:
    if value is not None and not RATE_BOUNDS[0] <= value <= RATE_BOUNDS[1]:
        raise forms.ValidationError("Ce taux n’est pas vraisemblable (entre -10 et 50 %).")
    return value


class LegalRateForm(forms.ModelForm[LegalRate]):
    class Meta:
        model = LegalRate
        fields = ["semester_start", "particuliers", "autres", "source"]

    def clean_particuliers(self) -> Decimal | None:
        return _check_rate(self.cleaned_data.get("particuliers"))

    def clean_autres(self) -> Decimal | None:
        return _check_rate(self.cleaned_data.get("autres"))

    def clean_source(self) -> str:
        source = str(self.cleaned_data.get("source") or "").strip()
        if not source:
            raise forms.ValidationError("Indiquez l’arrêté (date, JORF) et une adresse où le lire.")
        return source


class EcbRateForm(forms.ModelForm[EcbRate]):
    class Meta:
        model = EcbRate
        fields = ["effective_date", "rate", "source"]

    def clean_rate(self) -> Decimal | None:
        return _check_rate(self.cleaned_data.get("rate"))

    def clean_source(self) -> str:
        source = str(self.cleaned_data.get("source") or "").strip()
        if not source:
            raise forms.ValidationError("Indiquez la décision de la BCE et une adresse où la lire.")
        return source


class RateAdmin(admin.ModelAdmin[Any]):
    """Every change reaches `services.rates_edited`, so that computations see it at once."""

    table = ""
    date_field = ""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.rates_edited(
            table=self.table, day=getattr(obj, self.date_field), origin=f"administration ({request.user})"
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        services.rates_edited(table=self.table, origin=f"suppression dans l’administration ({request.user})")

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().delete_queryset(request, queryset)
        services.rates_edited(table=self.table, origin=f"suppression dans l’administration ({request.user})")

    @admin.display(description="source")
    def short_source(self, obj: Any) -> str:
        source = str(obj.source)
        return source if len(source) <= 90 else source[:89] + "…"


@admin.register(LegalRate)
class LegalRateAdmin(RateAdmin):
    form = LegalRateForm
    table = LEGAL_TABLE
    date_field = "semester_start"
    list_display = ["semester", "semester_start", "particuliers", "autres", "floor", "short_source"]
    search_fields = ["source"]

    @admin.display(description="semestre", ordering="semester_start")
    def semester(self, obj: LegalRate) -> str:
        return HalfYear.of(obj.semester_start).label

    @admin.display(description="plancher contractuel (3 × autres cas)")
    def floor(self, obj: LegalRate) -> Decimal:
        return 3 * obj.autres


@admin.register(EcbRate)
class EcbRateAdmin(RateAdmin):
    form = EcbRateForm
    table = ECB_TABLE
    date_field = "effective_date"
    list_display = ["effective_date", "rate", "short_source"]
    search_fields = ["source"]
    date_hierarchy = "effective_date"


@admin.register(RateTableStatus)
class RateTableStatusAdmin(admin.ModelAdmin[RateTableStatus]):
    list_display = ["table", "known_through", "updated_at", "version"]
    fields = ["table", "known_through", "note", "version", "updated_at"]
    readonly_fields = ["table", "version", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if obj.table == LEGAL_TABLE and obj.known_through is not None:
            # Stored as the first day of the last known half-year.
            obj.known_through = HalfYear.of(obj.known_through).start
        super().save_model(request, obj, form, change)
        services.rates_edited(table=obj.table, origin=f"administration ({request.user})")
