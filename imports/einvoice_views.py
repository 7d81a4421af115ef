"""The page that imports e-invoices (Factur-X PDF, CII or UBL XML, several at once or a ZIP)."""

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts.tenancy import AuthenticatedHttpRequest, current_business
from imports import einvoice

# A page request carries at most 6 Mo (relance.middleware.body_size_limit); a ZIP above it goes
# through the API one file at a time, or in several sends.
MAX_ZIP_BYTES = 6 * 1024 * 1024


@login_required
@require_http_methods(["GET", "POST"])
def einvoice_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    business = current_business(request)
    context: dict[str, object] = {"nav": "invoices", "max_files": einvoice.MAX_FILES}
    if request.method != "POST":
        return render(request, "imports/einvoice_import.html", context)
    files = request.FILES.getlist("files")
    if not files:
        context["error"] = _("Choisissez au moins un fichier.")
        return render(request, "imports/einvoice_import.html", context, status=422)
    # Bounded reads: one byte past a ZIP's bound is enough to know it is too large.
    uploads = [(upload.name or _("fichier"), upload.read(MAX_ZIP_BYTES + 1)) for upload in files[: einvoice.MAX_FILES]]
    reports = einvoice.import_einvoice_files(business=business, actor=request.user, uploads=uploads)
    if len(files) > einvoice.MAX_FILES:
        reports.append(
            einvoice.FileReport(
                _("%(count)s autres fichiers") % {"count": len(files) - einvoice.MAX_FILES},
                "refused",
                _("Plus de %(max)s fichiers : envoyez la suite à part.") % {"max": einvoice.MAX_FILES},
            )
        )
    context["reports"] = reports
    context["summary"] = _summary(reports)
    status = 200 if any(report.outcome != "refused" for report in reports) else 422
    return render(request, "imports/einvoice_import.html", context, status=status)


def _summary(reports: list[einvoice.FileReport]) -> str:
    """« 2 factures créées, 1 fichier refusé. »: the outcomes that happened, in a fixed order."""
    # Literal calls, so that makemessages finds each plural.
    wordings: dict[str, Callable[[int], str]] = {
        "created": lambda n: ngettext("%(counter)s facture créée", "%(counter)s factures créées", n),
        "updated": lambda n: ngettext("%(counter)s complétée", "%(counter)s complétées", n),
        "credited": lambda n: ngettext("%(counter)s avoir enregistré", "%(counter)s avoirs enregistrés", n),
        # The same in the singular and the plural.
        "unchanged": lambda n: _("%(counter)s déjà à jour"),
        "refused": lambda n: ngettext("%(counter)s fichier refusé", "%(counter)s fichiers refusés", n),
    }
    parts = []
    for outcome, wording in wordings.items():
        count = sum(1 for report in reports if report.outcome == outcome)
        if count:
            parts.append(wording(count) % {"counter": count})
    return ", ".join(parts) + "."
