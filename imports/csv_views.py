"""Pages of the CSV import: send a file, check the mapping, dry run, import, follow the progress."""

import itertools
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.tenancy import AuthenticatedHttpRequest, business_id_of, current_business
from core.errors import Conflict
from core.htmx import is_partial, render_page
from imports.csv_fields import FIELDS
from imports.csv_format import DELIMITER_NAMES, ENCODING_NAMES, read_rows
from imports.csv_services import MAX_FILE_BYTES, MIB, receive_csv, start_csv_run
from imports.csv_task import rows_done
from imports.lookups import get_csv_import_for
from imports.models import CsvImport

RECENT_IMPORTS = 10
PREVIEW_ROWS = 3


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Le fichier contient"),
        choices=CsvImport.Kind.choices,
        widget=forms.RadioSelect,
        initial=CsvImport.Kind.INVOICES,
        error_messages={"required": gettext_lazy("Choisissez ce que contient le fichier.")},
    )
    file = forms.FileField(
        label=gettext_lazy("Fichier CSV"),
        help_text=gettext_lazy(
            "Séparateur « ; », « , » ou tabulation ; UTF-8 ou Windows-1252 ; la première ligne donne le nom des "
            "colonnes. 20 Mo au plus."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
        error_messages={"required": gettext_lazy("Choisissez un fichier CSV.")},
    )


class MappingForm(forms.Form):
    """One choice of column per field of the import's kind."""

    def __init__(self, csv_import: CsvImport, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        columns = [("", _("— Ne pas importer —"))] + [
            (str(index), header or _("Colonne %(number)s") % {"number": index + 1})
            for index, header in enumerate(csv_import.headers)
        ]
        for field in FIELDS[csv_import.kind]:
            self.fields[field.key] = forms.ChoiceField(
                label=str(field.label),
                choices=columns,
                required=False,
                help_text=str(field.help),
                initial=str(csv_import.mapping[field.key]) if field.key in csv_import.mapping else "",
            )
            self.fields[field.key].is_required_field = field.required  # type: ignore[attr-defined]


def _apply_errors(form: forms.Form, error: ValidationError) -> None:
    for name, messages_ in error.message_dict.items():
        form.add_error(name if name in form.fields else None, messages_)


def _upload_page(request: AuthenticatedHttpRequest, form: UploadForm, status: int = 200) -> HttpResponse:
    recent = CsvImport.objects.filter(business_id=business_id_of(request.user))[:RECENT_IMPORTS]
    context = {"nav": "import", "form": form, "recent": recent, "max_mb": MAX_FILE_BYTES // MIB}
    return render(request, "imports/csv_upload.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def csv_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "GET":
        kind = request.GET.get("contenu")
        initial = {"kind": kind} if kind in CsvImport.Kind.values else {}
        return _upload_page(request, UploadForm(initial=initial))
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            csv_import = receive_csv(
                business=current_business(request),
                actor=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("imports:csv_detail", pk=csv_import.pk)
    return _upload_page(request, form, status=422)


def _preview(csv_import: CsvImport) -> list[list[str]]:
    try:
        with csv_import.file.open("rb") as stream:
            rows = read_rows(stream, csv_import.encoding, csv_import.delimiter)
            return [row for _line, row in itertools.islice(rows, PREVIEW_ROWS)]
    except OSError:
        return []


def _detail_context(csv_import: CsvImport, form: MappingForm | None = None) -> dict[str, Any]:
    return {
        "nav": "import",
        "csv_import": csv_import,
        "form": form or MappingForm(csv_import),
        "preview": _preview(csv_import),
        "encoding_name": ENCODING_NAMES.get(csv_import.encoding, csv_import.encoding),
        "delimiter_name": DELIMITER_NAMES.get(csv_import.delimiter, csv_import.delimiter),
        "rows_done": rows_done(csv_import),
    }


@login_required
@require_http_methods(["GET"])
def csv_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    csv_import = get_csv_import_for(request.user, pk)
    return render(request, "imports/csv_detail.html", _detail_context(csv_import))


@login_required
@require_http_methods(["POST"])
def csv_check(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The dry run with the mapping of the form."""
    csv_import = get_csv_import_for(request.user, pk)
    form = MappingForm(csv_import, request.POST)
    form.is_valid()
    mapping = {key: value for key, value in form.cleaned_data.items() if value != ""}
    try:
        start_csv_run(csv_import=csv_import, actor=request.user, dry_run=True, mapping=mapping)
    except ValidationError as error:
        _apply_errors(form, error)
        return render(request, "imports/csv_detail.html", _detail_context(csv_import, form), status=422)
    except Conflict as error:
        messages.error(request, str(error))
    return redirect("imports:csv_detail", pk=csv_import.pk)


@login_required
@require_http_methods(["POST"])
def csv_commit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    csv_import = get_csv_import_for(request.user, pk)
    if not csv_import.can_commit:
        messages.error(
            request, _("Vérifiez d’abord le fichier : l’import n’est possible qu’après un essai sans erreur.")
        )
        return redirect("imports:csv_detail", pk=csv_import.pk)
    try:
        csv_import = start_csv_run(csv_import=csv_import, actor=request.user, dry_run=False)
    except (ValidationError, Conflict) as error:
        messages.error(request, " ".join(error.messages) if isinstance(error, ValidationError) else str(error))
    else:
        if csv_import.committed_at is not None:
            messages.success(request, _("Import terminé : les données du fichier sont enregistrées."))
    return redirect("imports:csv_detail", pk=csv_import.pk)


@login_required
@require_http_methods(["GET"])
def csv_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The status block the page polls while a run is queued or running."""
    csv_import = get_csv_import_for(request.user, pk)
    response = render_page(request, "imports/csv_detail.html", "imports/_csv_status.html", _detail_context(csv_import))
    if is_partial(request) and not csv_import.is_busy:
        # Finished: the whole page changes (report, mapping, buttons), so it is loaded again.
        response.headers["HX-Refresh"] = "true"
    return response
