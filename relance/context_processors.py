from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from automation.queries import awaiting_count


def relance(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    business = getattr(user, "business", None) if user is not None and user.is_authenticated else None
    # Counted once, and only by a page that shows the navigation (one COUNT on a partial index).
    waiting = SimpleLazyObject(lambda: awaiting_count(business.pk) if business is not None else 0)
    return {"business": business, "today": timezone.localdate(), "approvals_waiting": waiting}
