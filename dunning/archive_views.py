"""Pages of the PDF archive export: request, follow the progress, download."""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.tenancy import AuthenticatedHttpRequest, business_id_of, current_business
from core.dates import DateField
from core.htmx import render_page
from dunning.archive import request_archive_export
from dunning.forms import DATE_INPUT, apply_service_errors
from dunning.lookups import get_archive_export_for
from dunning.models import ArchiveExport

EXPORTS_PAGE_SIZE = 20
DOWNLOADS = {"pdf": ("merged_pdf", "application/pdf"), "zip": ("zip_file", "application/zip")}


class ArchiveForm(forms.Form):
    date_from = DateField(
        label=gettext_lazy("Du"),
        widget=DATE_INPUT,
        error_messages={
            "required": gettext_lazy("Indiquez la date de début."),
            "invalid": gettext_lazy("Saisissez une date valide."),
        },
    )
    date_to = DateField(
        label=gettext_lazy("Au"),
        widget=DATE_INPUT,
        error_messages={
            "required": gettext_lazy("Indiquez la date de fin."),
            "invalid": gettext_lazy("Saisissez une date valide."),
        },
    )
    include_inactive = forms.BooleanField(label=gettext_lazy("Inclure les relances désactivées"), required=False)


def _list_page(request: AuthenticatedHttpRequest, form: ArchiveForm, status: int = 200) -> HttpResponse:
    exports = ArchiveExport.objects.filter(business_id=business_id_of(request.user)).select_related("requested_by")
    page = Paginator(exports, EXPORTS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"nav": "history", "form": form, "page": page}
    return render_page(request, "dunning/archive_list.html", "dunning/archive_exports.html", context, status)


@login_required
@require_http_methods(["GET"])
def archive_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return _list_page(request, ArchiveForm(initial={"date_from": dt.date(today.year, 1, 1), "date_to": today}))


@login_required
@require_http_methods(["POST"])
def archive_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    business = current_business(request)
    form = ArchiveForm(request.POST)
    if form.is_valid():
        try:
            export, created = request_archive_export(
                business=business,
                actor=request.user,
                date_from=form.cleaned_data["date_from"],
                date_to=form.cleaned_data["date_to"],
                include_inactive=form.cleaned_data["include_inactive"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            export.refresh_from_db()
            if not created:
                messages.info(request, _("Cette archive est déjà en préparation : voici où elle en est."))
            elif export.status == ArchiveExport.Status.DONE:
                messages.success(request, _("Archive prête : téléchargez le PDF unique ou le ZIP ci-dessous."))
            elif export.status != ArchiveExport.Status.FAILED:
                messages.success(
                    request,
                    _(
                        "Archive demandée : elle se prépare en arrière-plan. Vous pouvez quitter cette page et revenir "
                        "plus tard, elle restera dans la liste des archives."
                    ),
                )
            return redirect("dunning:archive_detail", pk=export.pk)
    return _list_page(request, form, status=422)


def _detail_context(export: ArchiveExport) -> dict[str, Any]:
    return {"nav": "history", "export": export}


@login_required
@require_http_methods(["GET"])
def archive_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    export = get_archive_export_for(request.user, pk)
    return render(request, "dunning/archive_detail.html", _detail_context(export))


@login_required
@require_http_methods(["GET"])
def archive_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The status block that the detail page polls; once finished it comes without the polling trigger."""
    export = get_archive_export_for(request.user, pk)
    return render_page(request, "dunning/archive_detail.html", "dunning/archive_progress.html", _detail_context(export))


@login_required
@require_http_methods(["GET"])
def archive_download(request: AuthenticatedHttpRequest, pk: int, kind: str) -> FileResponse:
    export = get_archive_export_for(request.user, pk)
    if kind not in DOWNLOADS or export.status != ArchiveExport.Status.DONE:
        raise Http404("Archive introuvable.")
    field_name, content_type = DOWNLOADS[kind]
    stored = getattr(export, field_name)
    try:
        handle = stored.storage.open(stored.name, "rb")
    except (OSError, ValueError):
        raise Http404("Fichier d’archive introuvable.") from None
    return FileResponse(
        handle, as_attachment=True, filename=f"{export.download_stem}.{kind}", content_type=content_type
    )
