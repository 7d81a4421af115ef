"""The rule tests' world: the owner's page and API clients and a first invoice, on a stopped Paris clock."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client as HttpClient

from accounts.models import Business, User
from ledger.models import Client, Invoice
from tests.factories import make_client, make_invoice, make_token
from tests.helpers import ApiClient


@pytest.fixture(autouse=True)
def stopped_clock(frozen_today: dt.date) -> dt.date:
    """So that today, the future and the past are the same for every rule test."""
    return frozen_today


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
    return World(business, owner, client, invoice, owner_client, ApiClient(make_token(owner)))
