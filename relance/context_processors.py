from typing import Any

from django.http import HttpRequest
from django.utils import timezone


def relance(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    business = getattr(user, "business", None) if user is not None and user.is_authenticated else None
    return {"business": business, "today": timezone.localdate()}
