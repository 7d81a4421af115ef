"""Permission-checked lookups: another user's or business's rows answer 404."""

from django.http import Http404

from accounts.models import ApiToken, Business, User


def get_business_for(user: User) -> Business:
    """A fresh copy of the user's business, so that a form may change it without touching request.user."""
    if user.business_id is None:
        raise Http404("Ce compte n’est rattaché à aucune entreprise.")
    return Business.objects.get(pk=user.business_id)


def get_token_for(user: User, pk: int) -> ApiToken:
    token = ApiToken.objects.select_related("user__business").filter(pk=pk, user=user).first()
    if token is None:
        raise Http404("Jeton introuvable.")
    return token
