"""/taux/: the rate tables, what they cover, and how to add what is missing; /taux/modifier/:
Relance's administrators (staff) add or correct a half-year's rates, with their source."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from law.penalties import BUSINESS, CONSUMER, legal_basis
from law.rates import ECB_TABLE, TABLE_NAMES, HalfYear, half_years_between
from rates import services
from rates.models import RateTableStatus
from rates.tables import load_rate_tables

MAX_UPLOAD_BYTES = 1024 * 1024


class RatesImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier CSV"),
        help_text=gettext_lazy(
            "Taux BCE (effective_date,rate_percent,source) ou taux légal "
            "(semester_start,particuliers_percent,autres_percent,source)."
        ),
    )
    known_through = forms.DateField(
        label=gettext_lazy("Taux BCE vérifié jusqu’au (facultatif)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Sinon, la mention « # known_through » du fichier ou son dernier changement."),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Simulation : montrer ce qui changerait sans enregistrer"), required=False
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("Le fichier dépasse 1 Mo : une table de taux tient en quelques kilo-octets."))
        return upload


def _page(request: HttpRequest, form: RatesImportForm, report: services.RatesReport | None = None) -> dict[str, Any]:
    tables = load_rate_tables()
    current = HalfYear.of(timezone.localdate())
    missing = [
        {"half_year": half_year, "tables": [_(TABLE_NAMES[table]) for table in missing_tables]}
        for half_year, missing_tables in tables.missing(through=current)
    ]
    current_row = next((row for row in tables.rows(through=current) if row.half_year == current), None)
    return {
        "nav": "settings",
        "rows": list(reversed(tables.rows(through=current))),
        "tables": tables,
        "current": current,
        "current_row": current_row,
        "missing": missing,
        "ecb_changes": list(reversed(tables.ecb_changes)),
        "legal_rates": list(reversed(tables.legal_rates)),
        "legal_basis": {"business": legal_basis(BUSINESS), "consumer": legal_basis(CONSUMER)},
        "can_edit": request.user.is_staff,
        "fetch_status": RateTableStatus.objects.filter(table=ECB_TABLE).first() if request.user.is_staff else None,
        "form": form,
        "report": report,
    }


@login_required
@require_http_methods(["GET"])
def rates(request: HttpRequest) -> HttpResponse:
    return render(request, "rates/rates.html", _page(request, RatesImportForm()))


@login_required
@require_http_methods(["POST"])
def import_rates(request: HttpRequest) -> HttpResponse:
    # The tables serve every business: only Relance's administrators may change them.
    if not request.user.is_staff:
        raise PermissionDenied
    form = RatesImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            report = services.import_rates(
                content=form.cleaned_data["file"].read(),
                known_through=form.cleaned_data["known_through"],
                dry_run=form.cleaned_data["dry_run"],
                origin=f"import de {form.cleaned_data['file'].name} par {request.user}",
            )
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                for message in field_errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            if report.dry_run:
                return render(request, "rates/rates.html", _page(request, form, report))
            messages.success(request, report.summary)
            return redirect("rates:rates")
    return render(request, "rates/rates.html", _page(request, form), status=422)


# Staff edits, one half-year at a time (rates.services.set_ecb_rate / set_legal_rate).


class PercentField(forms.DecimalField):
    """A rate in %, typed the French way ("2,15") or not ("2.15"); bounds are the service's."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("invalid", gettext_lazy("Saisissez un taux, par exemple 2,15."))
        kwargs["error_messages"].setdefault("required", gettext_lazy("Indiquez le taux."))
        # A text field: a number field refuses the French comma in most browsers.
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(max_digits=5, decimal_places=2, **kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.replace("%", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
        return super().to_python(value)


def _half_year_choices() -> list[tuple[str, str]]:
    """From the first half-year the tables know to the next one, newest first."""
    current = HalfYear.of(timezone.localdate())
    first = load_rate_tables().first_half_year or current
    return [(hy.start.isoformat(), hy.table_label) for hy in reversed(list(half_years_between(first, current.next())))]


class HalfYearField(forms.TypedChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label=gettext_lazy("Semestre"),
            coerce=lambda value: HalfYear.of(dt.date.fromisoformat(value)),
            error_messages={
                "required": gettext_lazy("Choisissez un semestre."),
                "invalid_choice": gettext_lazy("Choisissez un semestre de la liste."),
            },
            **kwargs,
        )


SOURCE_WIDGET = forms.Textarea(attrs={"rows": 2})


class EcbRateForm(forms.Form):
    half_year = HalfYearField()
    rate = PercentField(label=gettext_lazy("Taux BCE en vigueur le 1er jour du semestre (%)"))
    changed_on = forms.DateField(
        label=gettext_lazy("Date du changement de taux"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Saisissez une date valide.")},
        help_text=gettext_lazy(
            "Seulement si le taux a changé : le jour où la BCE l’a appliqué (ou le jour du changement à corriger)."
        ),
    )
    source = forms.CharField(
        label=gettext_lazy("Source"),
        widget=SOURCE_WIDGET,
        error_messages={
            "required": gettext_lazy("Indiquez la source : la décision ou l’arrêté, sa date et où le lire.")
        },
        help_text=gettext_lazy("La décision de politique monétaire de la BCE, sa date et une adresse où la lire."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "ecb_%s")
        super().__init__(*args, **kwargs)
        half_year = self.fields["half_year"]
        assert isinstance(half_year, forms.ChoiceField)
        half_year.choices = _half_year_choices()


class LegalRateForm(forms.Form):
    half_year = HalfYearField()
    autres = PercentField(label=gettext_lazy("Taux « autres cas » (%)"))
    particuliers = PercentField(label=gettext_lazy("Taux « particuliers » (%)"))
    source = forms.CharField(
        label=gettext_lazy("Source"),
        widget=SOURCE_WIDGET,
        error_messages={
            "required": gettext_lazy("Indiquez la source : la décision ou l’arrêté, sa date et où le lire.")
        },
        help_text=gettext_lazy("L’arrêté qui fixe les taux du semestre (date, JORF) et une adresse où le lire."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "legal_%s")
        super().__init__(*args, **kwargs)
        half_year = self.fields["half_year"]
        assert isinstance(half_year, forms.ChoiceField)
        half_year.choices = _half_year_choices()


def _require_staff(request: HttpRequest) -> None:
    # The tables serve every business: only Relance's administrators may change them.
    if not request.user.is_staff:
        raise PermissionDenied


def _edit_page(
    request: HttpRequest,
    ecb_form: EcbRateForm | None = None,
    legal_form: LegalRateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    tables = load_rate_tables()
    current = HalfYear.of(timezone.localdate())
    gaps = tables.missing(through=current)
    first_gap = {table: next((hy for hy, missing in gaps if table in missing), current) for table in TABLE_NAMES}
    context = {
        "nav": "settings",
        "ecb_form": ecb_form or EcbRateForm(initial={"half_year": first_gap["ecb"].start.isoformat()}),
        "legal_form": legal_form or LegalRateForm(initial={"half_year": first_gap["legal"].start.isoformat()}),
        "missing": [
            {"half_year": half_year, "tables": [_(TABLE_NAMES[table]) for table in missing_tables]}
            for half_year, missing_tables in gaps
        ],
    }
    return render(request, "rates/edit.html", context, status=status)


def _apply_errors(form: forms.Form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@login_required
@require_GET
def rates_edit(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    return _edit_page(request)


@login_required
@require_POST
def ecb_edit(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form = EcbRateForm(request.POST)
    if form.is_valid():
        try:
            report = services.set_ecb_rate(**form.cleaned_data, origin=f"page des taux ({request.user})")
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, report.summary)
            return redirect("rates:rates")
    return _edit_page(request, ecb_form=form, status=422)


@login_required
@require_POST
def legal_edit(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form = LegalRateForm(request.POST)
    if form.is_valid():
        try:
            report = services.set_legal_rate(**form.cleaned_data, origin=f"page des taux ({request.user})")
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, report.summary)
            return redirect("rates:rates")
    return _edit_page(request, legal_form=form, status=422)
