"""Plain factory functions for tests: small, explicit, no JSON fixtures."""

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from accounts.models import Business, User
from ledger import services
from ledger.models import Client, Invoice

_seq = itertools.count(1)


def make_business(**fields: Any) -> Business:
    defaults: dict[str, Any] = {
        "legal_name": f"Atelier Test {next(_seq)}",
        "siret": "73282932000074",
        "address_line1": "12 rue des Lilas",
        "postal_code": "69003",
        "city": "Lyon",
        "email": "contact@atelier.test",
        "signature_name": "Camille Martin",
    }
    return Business.objects.create(**{**defaults, **fields})


def make_user(
    business: Business | None = None,
    email: str | None = None,
    password: str = "motdepasse-solide-42",  # noqa: S107
) -> User:
    business = business or make_business()
    return User.objects.create_user(email or f"user{next(_seq)}@relance.test", password, business=business)


def make_client(business: Business, **fields: Any) -> Client:
    defaults: dict[str, Any] = {
        "kind": Client.Kind.BUSINESS,
        "name": f"Client {next(_seq)}",
        "email": "compta@client.test",
        "address_line1": "3 place Bellecour",
        "postal_code": "69002",
        "city": "Lyon",
    }
    return services.create_client(business=business, actor=None, **{**defaults, **fields})


def make_invoice(
    business: Business,
    client: Client | None = None,
    *,
    amount: Decimal | str = "1000.00",
    issue_date: dt.date = dt.date(2026, 9, 1),
    due_date: dt.date | None = None,
    number: str | None = None,
) -> Invoice:
    client = client or make_client(business)
    amount = Decimal(amount)
    return services.create_invoice(
        business=business,
        actor=None,
        client=client,
        number=number or f"F-{next(_seq):05d}",
        issue_date=issue_date,
        due_date=due_date or issue_date + dt.timedelta(days=30),
        total_excl_tax=amount,
        vat_amount=Decimal("0.00"),
        total_incl_tax=amount,
    )
