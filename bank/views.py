"""The bank reconciliation page: import a statement, confirm or choose the invoices each
credit line pays, or ignore it; everything on one screen."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.tenancy import AuthenticatedHttpRequest, current_business
from bank import queries, services
from bank.forms import StatementUploadForm
from bank.lookups import get_line_for
from bank.matching import SURE
from core.errors import Conflict, NotFound


def _context(
    request: AuthenticatedHttpRequest, form: StatementUploadForm | None = None, **extra: Any
) -> dict[str, Any]:
    business = current_business(request)
    found = queries.candidates(business)
    rows = queries.lines_with_proposals(business, found=found)
    return {
        "nav": "bank",
        "form": form or StatementUploadForm(),
        "rows": rows,
        "sure_count": sum(1 for row in rows if row.proposal and row.proposal.confidence == SURE),
        "open_invoices": found.invoices,
        "decided": queries.decided_lines(business),
        **extra,
    }


@login_required
@require_GET
def reconciliation(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "bank/reconciliation.html", _context(request))


@login_required
@require_POST
def statement_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = StatementUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            result = services.import_statement(
                business=current_business(request), actor=request.user, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            for message in error.message_dict.get("file", error.messages):
                form.add_error("file", message)
        else:
            if result.already_imported:
                messages.info(
                    request,
                    _("Ce relevé a déjà été importé le %(day)s : aucune nouvelle ligne.")
                    % {"day": f"{result.statement.imported_at:%d/%m/%Y}"},
                )
            else:
                messages.success(
                    request,
                    ngettext(
                        "Relevé importé : %(count)s nouveau virement reçu à rapprocher.",
                        "Relevé importé : %(count)s nouveaux virements reçus à rapprocher.",
                        result.created,
                    )
                    % {"count": result.created},
                )
            return redirect("bank:reconciliation")
    return render(request, "bank/reconciliation.html", _context(request, form), status=422)


@login_required
@require_POST
def confirm_sure(request: AuthenticatedHttpRequest) -> HttpResponse:
    result = services.confirm_sure_matches(business=current_business(request), actor=request.user)
    if result.matched:
        messages.success(
            request,
            ngettext(
                "%(count)s virement rapproché : les règlements sont enregistrés.",
                "%(count)s virements rapprochés : les règlements sont enregistrés.",
                result.matched,
            )
            % {"count": result.matched},
        )
    for failure in result.failed:
        messages.error(request, failure)
    if not result.matched and not result.failed:
        messages.info(request, _("Aucun rapprochement sûr à confirmer."))
    return redirect("bank:reconciliation")


@login_required
@require_POST
def line_match(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    line = get_line_for(request.user, pk)
    # Each invoice row of the line's form: a checkbox `invoice_ids` and an amount `amount_<id>`;
    # the extra row picks any open invoice (`other_invoice`, `other_amount`).
    invoice_ids: list[object] = list(request.POST.getlist("invoice_ids"))
    amounts: list[object] = [request.POST.get(f"amount_{value}", "") for value in invoice_ids]
    other = request.POST.get("other_invoice", "").strip()
    if other and other not in invoice_ids:
        invoice_ids.append(other)
        amounts.append(request.POST.get("other_amount", ""))
    try:
        allocations = services.parse_allocations(line, invoice_ids, amounts)
        payments = services.match_line(line=line, actor=request.user, allocations=allocations)
    except ValidationError as error:
        for message_list in error.message_dict.values():
            for message in message_list:
                messages.error(request, message)
    except (Conflict, NotFound) as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Virement du %(day)s rapproché : %(invoices)s.")
            % {
                "day": f"{line.date:%d/%m/%Y}",
                "invoices": ", ".join(
                    _("facture n° %(number)s") % {"number": payment.invoice.number} for payment in payments
                ),
            },
        )
    return redirect("bank:reconciliation")


@login_required
@require_POST
def line_ignore(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    line = get_line_for(request.user, pk)
    try:
        services.ignore_line(line=line, actor=request.user)
    except (Conflict, NotFound) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Ligne ignorée : elle ne sera plus proposée."))
    return redirect("bank:reconciliation")
