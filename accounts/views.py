import datetime as dt
import mimetypes
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts import forms, services
from accounts.lookups import get_business_for, get_token_for
from accounts.models import ApiToken, Business, PaymentTerms, User
from accounts.tenancy import AuthenticatedHttpRequest
from accounts.terms import contract_floor_unknown, day_count_text
from core.formats import long_date, percent
from law.rates import HalfYear, MissingRate
from law.terms import due_date_for
from law.terms import end_of_month as end_of_month_of
from rates.tables import load_rate_tables

MODEL_BACKEND = "accounts.backends.UserWithBusinessBackend"
THROTTLED_MESSAGE = gettext_lazy(
    "Trop de tentatives échouées. Réessayez dans 15 minutes ou réinitialisez votre mot de passe."
)


def client_ip(request: HttpRequest) -> str | None:
    """The address to throttle. Behind our HTTPS proxy (SECURE_PROXY_SSL_HEADER set), REMOTE_ADDR is the
    proxy itself: the client is the last address the proxy appended to X-Forwarded-For."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return str(forwarded[-1])
    remote = request.META.get("REMOTE_ADDR")
    return str(remote) if remote else None


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return None


def _user(request: AuthenticatedHttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


# Sign-up, login, logout


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = forms.SignupForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.request_signup(
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password1"],
                    business_name=form.cleaned_data["business_name"],
                    ip=client_ip(request),
                )
            except ValidationError as error:
                forms.add_service_errors(form, error, {"password": "password1"})
            else:
                # The same answer whether the address already has an account or not.
                return redirect("accounts:signup_done")
        return render(request, "accounts/signup.html", {"form": form}, status=422)
    return render(request, "accounts/signup.html", {"form": form})


@require_http_methods(["GET"])
def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_done.html")


@require_http_methods(["GET", "POST"])
def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the confirmation e-mail. Opening it shows a button: mail scanners that open
    links must not use it up, nor be the ones logged in."""
    if request.method == "GET":
        pending = services.pending_signup_for(token)
        context = {"pending": pending, "invalid_message": services.SIGNUP_LINK_INVALID}
        return render(request, "accounts/signup_confirm.html", context, status=200 if pending else 404)
    try:
        user = services.confirm_signup(token=token)
    except ValidationError:
        context = {"pending": None, "invalid_message": services.SIGNUP_LINK_INVALID}
        return render(request, "accounts/signup_confirm.html", context, status=404)
    login(request, user, backend=MODEL_BACKEND)
    messages.success(
        request,
        _(
            "Bienvenue sur Relance ! Complétez les informations de votre entreprise : "
            "elles figureront sur vos lettres de relance."
        ),
    )
    return redirect("accounts:settings")


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request) or settings.LOGIN_REDIRECT_URL)
    form = forms.LoginForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "next": _safe_next(request) or ""}
    if request.method == "GET":
        return render(request, "accounts/login.html", context)
    if not form.is_valid():
        return render(request, "accounts/login.html", context, status=422)
    email = services.normalize_email(form.cleaned_data["email"])
    ip = client_ip(request)
    # Counted before the password is checked: parallel guesses cannot all slip under the limit.
    if not services.take_login_attempt(email=email, ip=ip):
        form.add_error(None, THROTTLED_MESSAGE)
        return render(request, "accounts/login.html", context, status=429)
    user = authenticate(request, email=email, password=form.cleaned_data["password"])
    if user is None:
        form.add_error(None, _("Adresse e-mail ou mot de passe incorrect."))
        return render(request, "accounts/login.html", context, status=422)
    services.login_succeeded(email=email, ip=ip)
    login(request, user)
    return redirect(_safe_next(request) or settings.LOGIN_REDIRECT_URL)


@require_http_methods(["POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("Vous êtes déconnecté. À bientôt !"))
    return redirect(settings.LOGOUT_REDIRECT_URL)


# Passwords


class UnprocessableOnInvalid:
    """An invalid form answers 422, as everywhere else in Relance."""

    def form_invalid(self, form: BaseForm) -> HttpResponse:
        response: HttpResponse = super().form_invalid(form)  # type: ignore[misc]
        response.status_code = 422
        return response


class PasswordResetView(UnprocessableOnInvalid, auth_views.PasswordResetView):
    form_class = forms.ResetRequestForm
    template_name = "registration/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")
    http_method_names = ["get", "post"]

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        # Over the limit, the page says the same as when an e-mail leaves: the limit tells
        # nothing about whether the address has an account.
        if services.take_account_email(email=form.cleaned_data["email"], ip=client_ip(self.request)):
            return super().form_valid(form)
        return redirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"
    http_method_names = ["get"]


class PasswordResetConfirmView(UnprocessableOnInvalid, auth_views.PasswordResetConfirmView):
    form_class = forms.NewPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    http_method_names = ["get", "post"]

    def form_valid(self, form: "SetPasswordForm[User]") -> HttpResponse:
        response = super().form_valid(form)
        services.clear_failed_logins(email=form.user.email)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
    http_method_names = ["get"]


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = _user(request)
    form = forms.ChangePasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        messages.success(request, _("Votre mot de passe a été modifié."))
        return redirect("accounts:account")
    context = {"form": form, "nav": "settings", "section": "account"}
    return render(request, "accounts/password_change.html", context, status=422 if request.method == "POST" else 200)


# Business settings


def _settings_section(
    request: AuthenticatedHttpRequest,
    *,
    form_class: type[forms.BusinessForm | forms.TermsForm | forms.EmailSettingsForm],
    template: str,
    section: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    business = get_business_for(_user(request))
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, instance=business)
        if form.is_valid():
            try:
                services.update_business(business=business, actor=_user(request), **form.settings_data())
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(request, _("Vos paramètres sont enregistrés."))
                return redirect(request.path)
        status = 422
    else:
        form = form_class(instance=business)
    context = {"form": form, "nav": "settings", "section": section, **(extra or {})}
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def settings_business(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _settings_section(
        request, form_class=forms.BusinessForm, template="accounts/settings_business.html", section="business"
    )


def payment_terms_help(issue_date: dt.date) -> list[tuple[str, str]]:
    """Each payment term explained in plain French, with the due date of one sample invoice."""

    def due(terms: str) -> str:
        return long_date(due_date_for(issue_date, terms))

    end_of_month = long_date(end_of_month_of(issue_date))
    plus_45 = long_date(issue_date + dt.timedelta(days=45))
    return [
        (
            PaymentTerms.DAYS_30,
            _("30 jours après la date de facture : échéance le %(due)s.") % {"due": due(PaymentTerms.DAYS_30)},
        ),
        (
            PaymentTerms.EOM_45_THEN,
            _(
                "On ajoute 45 jours à la date de facture, puis on va à la fin de ce mois-là : "
                "%(plus_45)s, donc échéance le %(due)s."
            )
            % {"plus_45": plus_45, "due": due(PaymentTerms.EOM_45_THEN)},
        ),
        (
            PaymentTerms.EOM_THEN_45,
            _(
                "On va à la fin du mois de la facture, puis on ajoute 45 jours : "
                "%(end_of_month)s + 45 jours, donc échéance le %(due)s."
            )
            % {"end_of_month": end_of_month, "due": due(PaymentTerms.EOM_THEN_45)},
        ),
        (
            PaymentTerms.DAYS_60,
            _("Le délai maximal entre professionnels (article L441-10 du Code de commerce) : échéance le %(due)s.")
            % {"due": due(PaymentTerms.DAYS_60)},
        ),
        (
            PaymentTerms.CUSTOM_DAYS,
            _("Le nombre de jours que vous indiquez ci-dessous, de 0 (paiement à réception) à 60."),
        ),
    ]


PENALTY_TERMS_HELP = [
    (
        "legal",
        gettext_lazy(
            "Le taux de la BCE au 1er janvier ou au 1er juillet, majoré de 10 points (article L441-10 du Code de "
            "commerce), plus l’indemnité forfaitaire de 40 € par facture pour les clients professionnels."
        ),
    ),
    (
        "contract",
        gettext_lazy(
            "Le taux prévu dans vos conditions générales de vente, au moins trois fois le taux d’intérêt légal ; "
            "l’indemnité de 40 € reste due par les clients professionnels."
        ),
    ),
]


def bucket_labels(bounds: list[int], basis: str) -> list[str]:
    labels = [_("Non échues")] if basis == Business.BucketBasis.DUE_DATE else []
    start = 1 if basis == Business.BucketBasis.DUE_DATE else 0
    for bound in bounds:
        labels.append(_("%(low)s à %(high)s jours") % {"low": start, "high": bound})
        start = bound + 1
    labels.append(_("Plus de %(days)s jours") % {"days": bounds[-1]} if bounds else _("Toutes"))
    return labels


def contract_rate_warning(business: Business, today: dt.date) -> str:
    """L441-10 II: a contract rate below 3 × the legal rate is not enforceable; warn, do not refuse,
    since the floor moves every half-year and the rate was agreed with clients."""
    if business.penalty_terms != Business.PenaltyTerms.CONTRACT or business.contract_rate is None:
        return ""
    half_year = HalfYear.of(today)
    try:
        floor = load_rate_tables().contract_floor(half_year)
    except MissingRate:
        return ""
    if business.contract_rate >= floor:
        return ""
    return _(
        "Votre taux contractuel (%(rate)s) est inférieur au minimum légal du %(half_year)s : %(floor)s, "
        "soit trois fois le taux d’intérêt légal. Relevez-le dans vos conditions générales de vente et ici."
    ) % {"rate": percent(business.contract_rate), "half_year": half_year.label, "floor": percent(floor)}


@login_required
@require_http_methods(["GET", "POST"])
def settings_terms(request: AuthenticatedHttpRequest) -> HttpResponse:
    # 10 March shows the two "45 jours fin de mois" methods giving different dates.
    sample = dt.date(timezone.localdate().year, 3, 10)
    saved = get_business_for(_user(request))
    return _settings_section(
        request,
        form_class=forms.TermsForm,
        template="accounts/settings_terms.html",
        section="terms",
        extra={
            "sample_date": sample,
            "payment_terms_help": payment_terms_help(sample),
            "penalty_terms_help": PENALTY_TERMS_HELP,
            "bucket_labels": bucket_labels(saved.bounds, saved.bucket_basis),
            "contract_rate_warning": contract_rate_warning(saved, timezone.localdate()),
            "contract_floor_unknown": contract_floor_unknown(saved, timezone.localdate()),
            "day_count_text": day_count_text(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def settings_email(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _settings_section(
        request,
        form_class=forms.EmailSettingsForm,
        template="accounts/settings_email.html",
        section="email",
        extra={"from_address": parseaddr(settings.DEFAULT_FROM_EMAIL)[1]},
    )


@login_required
@require_http_methods(["GET"])
def logo(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    business = get_business_for(_user(request))
    if not business.logo:
        raise Http404("Aucun logo.")
    try:
        handle = business.logo.open("rb")
    except FileNotFoundError:
        raise Http404("Aucun logo.") from None
    content_type = mimetypes.guess_type(business.logo.name or "")[0] or "application/octet-stream"
    return FileResponse(handle, content_type=content_type)


# API tokens


def _tokens_page(
    request: AuthenticatedHttpRequest, form: forms.TokenForm, *, new_key: str = "", status: int = 200
) -> HttpResponse:
    tokens = ApiToken.objects.filter(user=_user(request)).order_by("revoked_at", "-created_at")
    context = {"form": form, "tokens": tokens, "new_key": new_key, "nav": "settings", "section": "tokens"}
    return render(request, "accounts/tokens.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "GET":
        return _tokens_page(request, forms.TokenForm())
    form = forms.TokenForm(request.POST)
    if form.is_valid():
        try:
            _token, key = services.create_token(user=user, name=form.cleaned_data["name"])
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            # The key is shown in this response only: never stored, never redirected through the session.
            return _tokens_page(request, forms.TokenForm(), new_key=key, status=201)
    return _tokens_page(request, form, status=422)


@login_required
@require_http_methods(["POST"])
def token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = get_token_for(_user(request), pk)
    services.revoke_token(token=token, actor=_user(request))
    messages.success(
        request, _("Le jeton « %(name)s » est révoqué : il ne permet plus d’accéder à l’API.") % {"name": token.name}
    )
    return redirect("accounts:tokens")


# My account


@login_required
@require_http_methods(["GET", "POST"])
def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = User.objects.get(pk=_user(request).pk)
    form = forms.AccountForm(request.POST or None, instance=user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_account(
                    user=_user(request), name=form.cleaned_data["name"], email=form.cleaned_data["email"]
                )
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(request, _("Vos informations sont enregistrées."))
                return redirect("accounts:account")
        status = 422
    context = {"form": form, "nav": "settings", "section": "account"}
    return render(request, "accounts/account.html", context, status=status)
