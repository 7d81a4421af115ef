"""The page that restores a full-account export into the user's business, while it is still empty."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.tenancy import AuthenticatedHttpRequest, current_business
from core.errors import Conflict
from imports.account import business_is_empty, restore_account


@login_required
@require_http_methods(["GET", "POST"])
def account_restore(request: AuthenticatedHttpRequest) -> HttpResponse:
    business = current_business(request)
    context: dict[str, object] = {"nav": "settings", "empty": business_is_empty(business)}
    if request.method != "POST":
        return render(request, "imports/account_restore.html", context)
    upload = request.FILES.get("archive")
    if upload is None:
        context["error"] = _("Choisissez le fichier ZIP de l’export.")
        return render(request, "imports/account_restore.html", context, status=422)
    try:
        report = restore_account(business=business, actor=request.user, archive=upload)
    except ValidationError as error:
        context["error"] = " ".join(error.messages)
        return render(request, "imports/account_restore.html", context, status=422)
    except Conflict as error:
        context["error"] = str(error)
        context["empty"] = False
        return render(request, "imports/account_restore.html", context, status=409)
    messages.success(
        request,
        _(
            "Compte restauré — clients : %(clients)s, factures : %(invoices)s (dont %(pdfs)s avec PDF), "
            "règlements : %(payments)s, avoirs : %(credit_notes)s."
        )
        % {
            "clients": report.clients,
            "invoices": report.invoices,
            "pdfs": report.pdfs,
            "payments": report.payments,
            "credit_notes": report.credit_notes,
        },
    )
    return redirect("ledger:invoice_list")
