"""The audit log's one writer: every service records who did what, inside its transaction."""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Model

from core.models import AuditEvent

# Events written by one INSERT in `record_many`: few statements, bounded parameters.
BULK = 500


def jsonable(value: Any) -> Any:
    if isinstance(value, (Decimal, dt.date)):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def event(
    *,
    business: Any,
    actor: Any,
    action: str,
    obj: Model,
    changes: dict[str, Any] | None = None,
    invoice: Any = None,
    client: Any = None,
) -> AuditEvent:
    """One audit event, not yet written: `record` writes it at once, `record_many` with others.

    `actor` is the user acting, or None for the system (a task, a command); an unsaved user (the
    demo loader's) counts as the system. `business`, `invoice` and `client` are rows of the apps
    above (typed loosely: core imports none of them)."""
    return AuditEvent(
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
    """One audit event, written now (see `event` for the arguments)."""
    audit_event = event(
        business=business, actor=actor, action=action, obj=obj, changes=changes, invoice=invoice, client=client
    )
    audit_event.save(force_insert=True)
    return audit_event


def record_many(events: Sequence[AuditEvent]) -> None:
    """The events of a batch written by a service (one per row it wrote, built by `event`), `BULK`
    to an INSERT: the same rows as `record` would write one by one."""
    AuditEvent.objects.bulk_create(events, batch_size=BULK)
