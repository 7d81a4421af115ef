"""/taux/: the rate tables, what they cover, and how to add what is missing."""

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
from django.views.decorators.http import require_http_methods

from law.penalties import BUSINESS, CONSUMER, legal_basis
from law.rates import TABLE_NAMES, HalfYear
from rates import services
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
