"""Shared by the rule tests: a frozen Paris date, the owner's page and API clients, a first invoice."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as HttpClient

from accounts.models import Business, User
from ledger.models import Client, Invoice
from tests.api.conftest import ApiClient, token_for
from tests.factories import make_client, make_invoice

TODAY = dt.date(2026, 11, 28)


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[dt.date]:
    """Noon in Paris: "today", "in the future" and "in the past" are the same for every test."""
    with time_machine.travel(dt.datetime(2026, 11, 28, 12, 0, tzinfo=ZoneInfo("Europe/Paris")), tick=False):
        yield TODAY


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@dataclass
class World:
    business: Business
    owner: User
    client: Client
    invoice: Invoice
    page: HttpClient
    api: ApiClient


@pytest.fixture
def world(business: Business, owner: User, owner_client: HttpClient) -> World:
    client = make_client(business, name="Boulangerie Martin")
    invoice = make_invoice(business, client, amount="1000.00", issue_date=dt.date(2026, 9, 1), number="F-2026-001")
    return World(business, owner, client, invoice, owner_client, ApiClient(token_for(owner)))
