"""The audit log's one writer: every service records who did what, inside its transaction."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Model

from core.models import AuditEvent


def jsonable(value: Any) -> Any:
    if isinstance(value, (Decimal, dt.date)):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def record(
    *,
    business: Any,
    actor: Any,
    action: str,
    obj: Model,
    changes: dict[str, Any] | None = None,
    invoice: Any = None,
    client: Any = None,
) -> AuditEvent:
    """One audit event. `actor` is the user acting, or None for the system (a task, a command);
    an unsaved user (the demo loader's) counts as the system. `business`, `invoice` and `client`
    are rows of the apps above (typed loosely: core imports none of them)."""
    return AuditEvent.objects.create(
        business=business,
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        object_type=type(obj).__name__.lower(),
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        invoice=invoice,
        client=client,
        changes={key: jsonable(value) for key, value in (changes or {}).items()},
    )
