"""Pages of the reminder workflow: editor, summary, history, templates, collection candidates."""

from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods

from accounts.tenancy import AuthenticatedHttpRequest, current_business
from core.errors import Conflict
from core.htmx import render_page
from core.redirects import safe_next
from dunning import facts, queries, services
from dunning.channels import channel_for
from dunning.choices import Level
from dunning.emails import browser_html
from dunning.epc import payment_code
from dunning.facts_types import sample_facts
from dunning.forms import HistoryFilterForm, RegisteredLetterForm, ReminderEditForm, TemplateForm, apply_service_errors
from dunning.letter import (
    PAGE_IMAGE_PPI,
    StatementData,
    letter_page_count,
    render_letter_pages_png,
    render_statement_pdf,
)
from dunning.lookups import get_reminder_for, get_template_for
from dunning.models import Reminder
from dunning.placeholders import PLACEHOLDERS, build_values, render_facts, render_html, template_errors
from dunning.send_warnings import warnings_before_sending
from dunning.statement import NothingToState, client_statement, invoice_statement
from law.rates import LawError, MissingRate
from ledger.lookups import get_client_for, get_invoice_for
from ledger.models import Invoice

HISTORY_PAGE_SIZE = 25
HOLD_FIELD = "confirm_dispute_or_pause"
FREEZE_CONFIRM = gettext_lazy(
    "Une fois envoyée, la relance ne pourra plus être modifiée ni supprimée, seulement désactivée."
)
SAVE_CONFIRM = gettext_lazy(
    "Une fois enregistrée, la relance ne pourra plus être modifiée ni supprimée, seulement désactivée."
)


def _frameable(response: HttpResponse) -> HttpResponse:
    """Our own pages may show this response in a frame (the summary embeds the PDF and the e-mail)."""
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'"
    )
    return response


def _conflict_redirect(
    request: AuthenticatedHttpRequest, reminder: Reminder, error: Conflict | ValidationError
) -> HttpResponse:
    if isinstance(error, ValidationError):
        for message_list in error.message_dict.values():
            for message in message_list:
                messages.error(request, message)
    else:
        messages.error(request, str(error))
    return redirect("dunning:reminder_detail", pk=reminder.pk)


# Creating and editing drafts


@login_required
@require_http_methods(["POST"])
def reminder_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The "Relancer" button of a list: a draft, then the editor. Errors go back where the user was."""
    business = current_business(request)
    invoice_ids = request.POST.getlist("invoice_ids")
    try:
        reminder = services.create_reminder(
            business=business,
            actor=request.user,
            invoice_ids=invoice_ids,
            level=request.POST.get("level") or None,
            channel=request.POST.get("channel") or None,
        )
    except services.FormalNoticeAlreadySent:
        # Not an error: the user picks the level of the new reminder (or goes to collection).
        context = {
            "nav": "late",
            "invoice_ids": invoice_ids,
            "invoices": Invoice.objects.filter(business=business, pk__in=invoice_ids).order_by("due_date", "number"),
            "levels": Level.choices,
            "current_level": Level.FORMAL_NOTICE,
            "suggested_level": Level.FORMAL_NOTICE,
            "back": safe_next(request),
        }
        return render(request, "dunning/reminder_choose_level.html", context)
    except (ValidationError, Conflict) as error:
        if isinstance(error, ValidationError):
            for message_list in error.message_dict.values():
                for message in message_list:
                    messages.error(request, message)
        else:
            messages.error(request, str(error))
        referer = request.headers.get("Referer", "")
        if referer and url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(referer)
        return redirect("pages:late_payments")
    return redirect(reverse("dunning:reminder_edit", args=[reminder.pk]) + _next_query(safe_next(request)))


def _next_query(back: str) -> str:
    """`?next=…`: the page the user came from (a bucket) follows them through editor and
    summary, so that deleting the draft brings them back there."""
    return f"?next={quote(back)}" if back else ""


def _invoices_without_pdf(reminder: Reminder) -> list[Invoice]:
    """The reminder's invoices that "Joindre les factures d'origine" cannot attach."""
    return [invoice for invoice in reminder.invoices.order_by("due_date", "number") if not invoice.pdf]


def _open_invoices_of(reminder: Reminder) -> list[Invoice]:
    """The client's invoices that can be in this draft: open ones, and those already in it."""
    return list(
        Invoice.objects.filter(business_id=reminder.business_id, client_id=reminder.client_id)
        .filter(Q(pk__in=reminder.lines.values("invoice_id")) | Q(cancelled_at__isnull=True, amount_due__gt=0))
        .order_by("due_date", "number")
    )


@login_required
@require_http_methods(["GET", "POST"])
def reminder_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reminder = get_reminder_for(request.user, pk)
    if not reminder.is_draft:
        messages.info(request, services.FROZEN_MESSAGE)
        return redirect("dunning:reminder_detail", pk=reminder.pk)
    open_invoices = _open_invoices_of(reminder)
    old_channel = reminder.channel
    attaches_letter = channel_for(reminder).attaches_letter
    back = safe_next(request)
    status = 200
    if request.method == "POST":
        form = ReminderEditForm(request.POST, reminder=reminder, open_invoices=open_invoices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_draft(
                    reminder=reminder,
                    actor=request.user,
                    channel=data["channel"],
                    subject=data["subject"],
                    body=data["body"],
                    letter_subject=data["letter_subject"] if attaches_letter else None,
                    letter_body=data["letter_body"] if attaches_letter else None,
                    include_penalties=data["include_penalties"],
                    attach_invoice_pdfs=data["attach_invoice_pdfs"] if attaches_letter else None,
                    invoice_ids=data["invoice_ids"],
                    texts_for_current_channel=True,
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            except Conflict as error:
                return _conflict_redirect(request, reminder, error)
            else:
                if data["channel"] != old_channel:
                    messages.info(request, _("Canal changé : relisez la relance avant de l’envoyer."))
                return redirect(reverse("dunning:reminder_detail", args=[reminder.pk]) + _next_query(back))
        status = 422
    else:
        form = ReminderEditForm(reminder=reminder, open_invoices=open_invoices)
    rendered = facts.render_reminder(reminder, on=timezone.localdate())
    context = {
        "nav": "late",
        "reminder": reminder,
        "channel": channel_for(reminder),
        "form": form,
        "rendered": rendered,
        "placeholders": PLACEHOLDERS,
        "holds": facts.reminder_holds(reminder, timezone.localdate()),
        "missing_pdfs": _invoices_without_pdf(reminder) if channel_for(reminder).sends_email else [],
        "levels": Level.choices,
        "current_level": reminder.level,
        "suggested_level": services.suggested_level(reminder.invoices.all()),
        "back": back,
        "next_query": _next_query(back),
    }
    return render(request, "dunning/reminder_edit.html", context, status=status)


@login_required
@require_http_methods(["POST"])
def reminder_level(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change a draft's level. Its texts are replaced by the level's template, so the user
    confirms first: a page asks (without JS), or the form's confirmation dialog adds
    `confirmed` (with JS)."""
    reminder = get_reminder_for(request.user, pk)
    if not reminder.is_draft:
        messages.info(request, services.FROZEN_MESSAGE)
        return redirect("dunning:reminder_detail", pk=reminder.pk)
    try:
        level = services.parse_level(request.POST.get("level")) or reminder.level
        if level != reminder.level and request.POST.get("confirmed") != "1":
            context = {
                "nav": "late",
                "reminder": reminder,
                "level": level,
                "label": Level(level).label,
                "back": safe_next(request),
                "next_query": _next_query(safe_next(request)),
            }
            return render(request, "dunning/reminder_level_confirm.html", context)
        services.update_draft(reminder=reminder, actor=request.user, level=level)
    except ValidationError as error:
        for message_list in error.message_dict.values():
            for message in message_list:
                messages.error(request, message)
    except Conflict as error:
        return _conflict_redirect(request, reminder, error)
    else:
        if level != reminder.level:
            messages.success(
                request,
                _("Niveau changé : la relance reprend le texte du modèle « %(label)s ». Relisez-le avant l’aperçu.")
                % {"label": Level(level).label},
            )
    return redirect(reverse("dunning:reminder_edit", args=[reminder.pk]) + _next_query(safe_next(request)))


@login_required
@require_http_methods(["POST"])
def reminder_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reminder = get_reminder_for(request.user, pk)
    try:
        services.delete_draft(reminder=reminder, actor=request.user)
    except Conflict as error:
        return _conflict_redirect(request, reminder, error)
    messages.success(request, _("Brouillon supprimé."))
    return redirect(safe_next(request) or reverse("pages:late_payments"))


# The summary ("Aperçu") and what can be done from it


def _detail_context(
    reminder: Reminder, registered_form: RegisteredLetterForm | None = None, hold_error: str = "", back: str = ""
) -> dict[str, Any]:
    rendered = facts.rendering(reminder)
    return {
        "back": back,
        "next_query": _next_query(back),
        "nav": "history" if reminder.is_frozen else "late",
        "reminder": reminder,
        "channel": channel_for(reminder),
        "rendered": rendered,
        "letter_pages": range(1, letter_page_count(rendered.letter) + 1),
        "holds": facts.reminder_holds(reminder, timezone.localdate()) if reminder.is_draft else [],
        "send_warnings": warnings_before_sending(reminder) if reminder.is_draft else [],
        "missing_pdfs": (
            _invoices_without_pdf(reminder)
            if reminder.is_draft and channel_for(reminder).sends_email and reminder.attach_invoice_pdfs
            else []
        ),
        "hold_error": hold_error,
        "send_confirm": FREEZE_CONFIRM,
        "save_confirm": SAVE_CONFIRM,
        "no_email_message": services.NO_EMAIL_MESSAGE,
        "registered_form": registered_form
        or RegisteredLetterForm(initial={"number": reminder.registered_number, "receipt_date": reminder.receipt_date}),
    }


@login_required
@require_http_methods(["GET"])
def reminder_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reminder = get_reminder_for(request.user, pk)
    # The user must not wait on a send that stopped with no worker left to tell.
    if reminder.status == Reminder.Status.SENDING and services.reclaim_stale_sends(reminder_id=reminder.pk):
        reminder = get_reminder_for(request.user, pk)
    return render(request, "dunning/reminder_detail.html", _detail_context(reminder, back=safe_next(request)))


@login_required
@require_http_methods(["POST"])
def reminder_save(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reminder = get_reminder_for(request.user, pk)
    try:
        reminder = services.save_reminder(
            reminder=reminder, actor=request.user, confirm_dispute_or_pause=_hold_confirmed(request)
        )
    except (Conflict, ValidationError) as error:
        return _freeze_refused(request, reminder, error)
    messages.success(
        request,
        _("Relance %(reference)s enregistrée : vous pouvez l’imprimer ou la télécharger.")
        % {"reference": reminder.reference},
    )
    return redirect("dunning:reminder_detail", pk=reminder.pk)


@login_required
@require_http_methods(["POST"])
def reminder_send(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reminder = get_reminder_for(request.user, pk)
    try:
        reminder = services.send_reminder(
            reminder=reminder, actor=request.user, confirm_dispute_or_pause=_hold_confirmed(request)
        )
    except (Conflict, ValidationError) as error:
        return _freeze_refused(request, reminder, error)
    return _after_send(request, reminder)


def _hold_confirmed(request: AuthenticatedHttpRequest) -> bool:
    return request.POST.get(HOLD_FIELD) == "on"


def _freeze_refused(
    request: AuthenticatedHttpRequest, reminder: Reminder, error: Conflict | ValidationError
) -> HttpResponse:
    """A missing confirmation shows at its checkbox (422); anything else goes back to the summary."""
    if isinstance(error, ValidationError) and HOLD_FIELD in error.message_dict:
        context = _detail_context(reminder, hold_error=error.message_dict[HOLD_FIELD][0])
        return render(request, "dunning/reminder_detail.html", context, status=422)
    return _conflict_redirect(request, reminder, error)


def _after_send(request: AuthenticatedHttpRequest, reminder: Reminder) -> HttpResponse:
    reminder.refresh_from_db(fields=["status", "send_error"])
    if reminder.status == Reminder.Status.SENT:
        messages.success(request, _("Relance envoyée à %(email)s.") % {"email": reminder.recipient_email})
    elif reminder.status == Reminder.Status.SEND_FAILED:
        messages.error(
            request,
            _("L’envoi à %(email)s a échoué : %(error)s")
            % {"email": reminder.recipient_email, "error": reminder.send_error},
        )
    else:
        messages.success(request, _("Relance en cours d’envoi à %(email)s.") % {"email": reminder.recipient_email})
    return redirect("dunning:reminder_detail", pk=reminder.pk)


@login_required
@require_http_methods(["POST"])
def reminder_retry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reminder = get_reminder_for(request.user, pk)
    try:
        reminder = services.retry_send(reminder=reminder, actor=request.user)
    except Conflict as error:
        return _conflict_redirect(request, reminder, error)
    return _after_send(request, reminder)


@login_required
@require_http_methods(["POST"])
def reminder_resend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reminder = get_reminder_for(request.user, pk)
    try:
        reminder = services.resend_uncertain(reminder=reminder, actor=request.user)
    except Conflict as error:
        return _conflict_redirect(request, reminder, error)
    return _after_send(request, reminder)


@login_required
@require_http_methods(["POST"])
def reminder_mark_sent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reminder = get_reminder_for(request.user, pk)
    try:
        services.mark_sent(reminder=reminder, actor=request.user)
    except Conflict as error:
        return _conflict_redirect(request, reminder, error)
    messages.success(request, _("Relance marquée comme envoyée : elle ne sera pas renvoyée."))
    return redirect("dunning:reminder_detail", pk=reminder.pk)


@login_required
@require_http_methods(["POST"])
def reminder_deactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reminder = get_reminder_for(request.user, pk)
    try:
        services.deactivate_reminder(reminder=reminder, actor=request.user)
    except Conflict as error:
        return _conflict_redirect(request, reminder, error)
    messages.success(request, _("Relance désactivée : elle n’apparaît plus dans l’historique, mais reste conservée."))
    return redirect("dunning:reminder_detail", pk=reminder.pk)


@login_required
@require_http_methods(["POST"])
def reminder_reactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reminder = get_reminder_for(request.user, pk)
    try:
        services.reactivate_reminder(reminder=reminder, actor=request.user)
    except Conflict as error:
        return _conflict_redirect(request, reminder, error)
    messages.success(request, _("Relance réactivée : elle apparaît de nouveau dans l’historique."))
    return redirect("dunning:reminder_detail", pk=reminder.pk)


@login_required
@require_http_methods(["POST"])
def reminder_registered(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reminder = get_reminder_for(request.user, pk)
    form = RegisteredLetterForm(request.POST)
    if form.is_valid():
        try:
            services.record_registered_letter(
                reminder=reminder,
                actor=request.user,
                number=form.cleaned_data["number"],
                receipt_date=form.cleaned_data["receipt_date"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        except Conflict as error:
            return _conflict_redirect(request, reminder, error)
        else:
            messages.success(request, _("Recommandé enregistré."))
            return redirect("dunning:reminder_detail", pk=reminder.pk)
    return render(request, "dunning/reminder_detail.html", _detail_context(reminder, form), status=422)


@login_required
@require_http_methods(["GET"])
@xframe_options_sameorigin
def reminder_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The letter as PDF: the stored, hashed file once frozen; rendered on the fly for a draft."""
    content, name = facts.letter_pdf(get_reminder_for(request.user, pk))
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return _frameable(response)


def _page_image_headers(response: HttpResponse, etag: str | None) -> HttpResponse:
    # No Cache-Control here: every answer to a logged-in user is "private, no-store"
    # (relance.middleware), since the browser's cache outlives a session.
    if etag:
        response.headers["ETag"] = etag
    return response


@login_required
@require_http_methods(["GET"])
def reminder_page_image(request: AuthenticatedHttpRequest, pk: int, page: int) -> HttpResponse:
    """One page of the letter as PNG, for the summary: phones and many browsers show no inline PDF.

    A frozen reminder is rendered from its snapshot, the data its stored PDF was made from; a
    draft from today's data, like its PDF.
    """
    reminder = get_reminder_for(request.user, pk)
    letter = facts.rendering(reminder).letter
    if not 1 <= page <= letter_page_count(letter):
        raise Http404("Ce courrier n’a pas de page à ce numéro.")
    # A frozen letter never changes: its PDF's hash (and the resolution) names the image.
    etag = f'"{reminder.pdf_sha256}-{PAGE_IMAGE_PPI:g}"' if reminder.is_frozen and reminder.pdf_sha256 else None
    if etag and (not_modified := get_conditional_response(request, etag=etag)) is not None:
        return _page_image_headers(not_modified, etag)
    image = render_letter_pages_png(letter)[page - 1]
    return _page_image_headers(HttpResponse(image, content_type="image/png"), etag)


@login_required
@require_http_methods(["GET"])
@xframe_options_sameorigin
def reminder_email(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The HTML part of the e-mail, as the client receives it (shown in a sandboxed frame)."""
    reminder = get_reminder_for(request.user, pk)
    rendered = facts.rendering(reminder)
    html = browser_html(rendered.email, payment_code(rendered.facts)) if rendered.email else ""
    return _frameable(HttpResponse(html))


@login_required
@require_http_methods(["GET"])
def reminder_print(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reminder = get_reminder_for(request.user, pk)
    rendered = facts.rendering(reminder)
    context = {
        "reminder": reminder,
        "letter": rendered.letter,
        "blocks": rendered.letter_blocks,
        "back_url": reverse("dunning:reminder_detail", args=[reminder.pk]),
    }
    return render(request, "dunning/letter_print.html", context)


# History


@login_required
@require_http_methods(["GET"])
def history(request: AuthenticatedHttpRequest) -> HttpResponse:
    business = current_business(request)
    form = HistoryFilterForm(request.GET or None, business=business)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    reminders = queries.reminder_history(
        business,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        client_id=data["client"].pk if data.get("client") else None,
        level=data.get("level"),
        channel=data.get("channel") or None,
        status=data.get("status") or None,
        show_deactivated=bool(data.get("inactive")),
    )
    page = Paginator(reminders, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "nav": "history",
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "filtered": bool(data) and any(data.values()),
        "has_any": bool(page.object_list) or Reminder.objects.filter(business=business).exists(),
        "drafts_count": Reminder.objects.drafts().filter(business=business).count(),
    }
    status = 422 if form.is_bound and not form.is_valid() else 200
    return render_page(request, "dunning/history.html", "dunning/_history_results.html", context, status)


# Templates settings


@login_required
@require_http_methods(["GET"])
def templates(request: AuthenticatedHttpRequest) -> HttpResponse:
    return redirect("dunning:template_edit", level=Level.FRIENDLY)


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: AuthenticatedHttpRequest, level: int) -> HttpResponse:
    business = current_business(request)
    services.ensure_default_templates(business)
    template = get_template_for(request.user, level)
    status = 200
    if request.method == "POST":
        form = TemplateForm(request.POST, instance=template)
        if form.is_valid():
            try:
                services.update_template(template=template, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request, _("Modèle « %(level)s » enregistré.") % {"level": template.get_level_display()}
                )
                return redirect("dunning:template_edit", level=level)
        template.refresh_from_db()
        status = 422
    else:
        form = TemplateForm(instance=template)
    context = {
        "nav": "settings",
        "section": "templates",
        "template": template,
        "form": form,
        "levels": Level.choices,
        "placeholders": PLACEHOLDERS,
        "preview": _template_preview(form.data if form.is_bound else form.initial, level),
    }
    return render(request, "dunning/templates.html", context, status=status)


def _template_preview(data: Any, level: int) -> dict[str, Any]:
    """Both renderings of the texts on sample data; unknown placeholders are listed, not rendered."""
    include = data.get("include_penalties") in (True, "on", "true", "1")
    sample = replace(sample_facts(level=level), include_penalties=include)
    values = build_values(sample)
    texts = {
        field: str(data.get(field) or "") for field in ["letter_subject", "letter_body", "email_subject", "email_body"]
    }
    errors = {field: template_errors(text) for field, text in texts.items()}
    return {
        "email_subject": render_facts(texts["email_subject"], sample),
        "email_html": render_html(texts["email_body"], values),
        "letter_subject": render_facts(texts["letter_subject"], sample),
        "letter_html": render_html(texts["letter_body"], values),
        "errors": [message for messages_ in errors.values() for message in messages_],
    }


@login_required
@require_http_methods(["POST"])
def template_preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        level = int(request.POST.get("level", Level.FRIENDLY))
    except ValueError:
        level = Level.FRIENDLY
    if level not in Level.values:
        level = Level.FRIENDLY
    current_business(request)
    return render(request, "dunning/_template_preview.html", {"preview": _template_preview(request.POST, level)})


# "Décompte des pénalités de retard" (PDF), for one invoice or all of a client's late invoices.


def _statement_response(
    request: AuthenticatedHttpRequest,
    build: Callable[[], StatementData],
    *,
    filename: str,
    nav: str,
    back_url: str,
    back_label: str,
) -> HttpResponse:
    """The PDF, or a page saying why there is none (409): a statement with a part of its
    interest missing would be wrong, so a missing rate stops it."""
    try:
        data = build()
    except (LawError, NothingToState) as error:
        context = {
            "nav": nav,
            "message": error.message if isinstance(error, LawError) else str(error),
            "missing_rate": isinstance(error, MissingRate),
            "back_url": back_url,
            "back_label": back_label,
        }
        return render(request, "dunning/statement_error.html", context, status=409)
    # The statement is a document for the client: French whatever the interface language.
    with translation.override("fr"):
        pdf = render_statement_pdf(data)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET"])
def statement_invoice(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invoice = get_invoice_for(request.user, pk)
    today = timezone.localdate()
    return _statement_response(
        request,
        lambda: invoice_statement(invoice, today),
        filename=f"decompte-penalites-{slugify(invoice.number) or invoice.pk}-{today:%Y-%m-%d}.pdf",
        nav="invoices",
        back_url=reverse("pages:invoice_detail", args=[invoice.pk]),
        back_label=_("Retour à la facture %(number)s") % {"number": invoice.number},
    )


@login_required
@require_http_methods(["GET"])
def statement_client(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    client = get_client_for(request.user, pk)
    today = timezone.localdate()
    return _statement_response(
        request,
        lambda: client_statement(client, today),
        filename=f"decompte-penalites-{slugify(client.name) or client.pk}-{today:%Y-%m-%d}.pdf",
        nav="clients",
        back_url=reverse("pages:client_detail", args=[client.pk]),
        back_label=_("Retour à la fiche de %(name)s") % {"name": client.name},
    )
