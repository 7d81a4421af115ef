"""Synthetic data for the benchmarks (`python -m bench.data`, `make bench`).

Shaped like real use: businesses, each with its user; clients, professionals and consumers,
some without e-mail; three years of invoices, of which a fifth are unpaid and spread over
every lateness bucket; payments (some in two instalments, some partial on unpaid invoices),
credit notes, a few cancelled and disputed invoices; and frozen reminders (sent by e-mail or
saved for the post, escalating from level 1 to 3) with the snapshot the product records when
it freezes one. Everything is drawn from one seed relative to `today`, so a run is repeatable,
and written with `bulk_create`.

A frozen reminder's PDF costs about 10 ms of Typst: `generate` leaves `pdf` empty and
`store_reminder_pdfs` renders them, on both cores, for the measures that need them (the archive).

Bench rows are recognised by their users' e-mail domain: `remove_bench_data` deletes those
businesses and nothing else, so a bench run can share a database with real data.
"""

import datetime as dt
import hashlib
import itertools
import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from multiprocessing import get_context
from typing import Any
from zoneinfo import ZoneInfo

import django
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import ProtectedError, QuerySet, RestrictedError
from django.utils import timezone

from accounts.models import Business, PaymentTerms, User
from accounts.validators import luhn_ok
from core.formats import quantize
from dunning.choices import Channel
from dunning.defaults import default_template, default_templates
from dunning.emails import render_email
from dunning.facts import InvoiceLine, Rendered, rendered_from_snapshot
from dunning.facts_types import INDEMNITY_PER_INVOICE, ZERO, BusinessFacts, ClientFacts, InvoiceFacts, ReminderFacts
from dunning.letter import LetterData, render_letter_pdf
from dunning.models import Reminder, ReminderInvoice, ReminderTemplate
from dunning.placeholders import build_values, render_facts, render_html, render_text
from ledger.models import Client, CreditNote, Invoice, Payment

BENCH_DOMAIN = "bench.relance.test"
BENCH_PASSWORD = "relance-bench"  # noqa: S105 (synthetic accounts on a loopback-only bench)
PARIS = ZoneInfo("Europe/Paris")
BATCH_SIZE = 1000
HISTORY_DAYS = 3 * 365
UNPAID_SHARE = 0.20
# How the unpaid invoices spread over the default buckets: (share, fewest, most days late);
# zero or less is not yet due.
UNPAID_SPREAD = ((0.30, -60, 0), (0.25, 1, 30), (0.15, 31, 60), (0.10, 61, 90), (0.20, 91, 700))
PARTLY_PAID_SHARE = 0.12  # of unpaid invoices
DISPUTED_SHARE = 0.03  # of late invoices
CANCELLED_SHARE = 0.005
CREDIT_NOTE_SHARE = 0.02
SPLIT_PAYMENT_SHARE = 0.08
DEACTIVATED_SHARE = 0.05  # of reminders
# Without an explicit count, one reminder for every two late invoices.
REMINDERS_PER_LATE_INVOICE = 0.5
INVOICES_PER_CLIENT = 50
# The interest a level 2 or 3 reminder claims, simplified to one rate (ECB MRO + 10 points).
INTEREST_RATE = Decimal("12.15")
VAT_RATE = Decimal("0.20")

# fmt: off
FIRST_NAMES = [
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Sarah", "Julie", "Claire", "Anne", "Élodie", "Nadia", "Sophie",
    "Lucas", "Hugo", "Thomas", "Julien", "Antoine", "Nicolas", "Karim", "Mathieu", "Pierre", "Yann", "Rémi", "Paul",
]
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Durand", "Lefèvre", "Moreau", "Laurent", "Simon", "Michel", "Garcia", "Roux",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Faure",
    "Blanc", "Guérin", "Boyer", "Chevalier", "Perrin", "Morel", "Mercier", "Giraud", "N’Diaye", "Nguyen", "Benali",
]
TRADES = [
    ("Graphisme", Business.Activity.SERVICES), ("Développement web", Business.Activity.SERVICES),
    ("Plomberie", Business.Activity.SERVICES), ("Électricité", Business.Activity.SERVICES),
    ("Conseil", Business.Activity.SERVICES), ("Traduction", Business.Activity.SERVICES),
    ("Photographie", Business.Activity.SERVICES), ("Menuiserie", Business.Activity.SERVICES),
    ("Céramique", Business.Activity.SALES), ("Épicerie fine", Business.Activity.SALES),
    ("Librairie", Business.Activity.SALES), ("Bijoux", Business.Activity.SALES),
]
CLIENT_KINDS = [
    "Boulangerie", "Garage", "Cabinet", "Agence", "Hôtel", "Restaurant", "Librairie", "Pharmacie", "Studio",
    "Atelier", "Transports", "Domaine", "Clinique", "Coworking", "Éditions", "Brasserie", "Fromagerie", "Imprimerie",
]
LEGAL_FORMS = ["SARL", "SAS", "EURL", "SASU", "", ""]
STREETS = [
    "rue de la République", "avenue Jean Jaurès", "boulevard Victor Hugo", "rue Pasteur", "place de la Mairie",
    "rue du Général de Gaulle", "chemin des Vignes", "allée des Tilleuls", "quai Saint-Antoine", "rue Mercière",
]
CITIES = [
    ("75011", "Paris"), ("69003", "Lyon"), ("13006", "Marseille"), ("31000", "Toulouse"), ("33000", "Bordeaux"),
    ("44000", "Nantes"), ("59000", "Lille"), ("67000", "Strasbourg"), ("34000", "Montpellier"), ("35000", "Rennes"),
    ("06000", "Nice"), ("38000", "Grenoble"), ("21000", "Dijon"), ("37000", "Tours"), ("29200", "Brest"),
]
# fmt: on
CLIENT_TERMS = [30, 30, 30, 45, 60]
PAYMENT_DELAYS = {"prompt": (-20, 2), "regular": (-5, 15), "slow": (5, 60)}
METHODS = [Payment.Method.TRANSFER, Payment.Method.CHEQUE, Payment.Method.CARD, Payment.Method.DIRECT_DEBIT]
DISPUTE_REASONS = ["Le client conteste le nombre d’heures facturées.", "Livraison incomplète selon le client."]
CREDIT_REASONS = ["Remise commerciale accordée", "Prestation partiellement annulée", "Geste commercial"]


@dataclass
class BenchSummary:
    businesses: list[Business] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    clients: int = 0
    invoices: int = 0
    unpaid: int = 0
    payments: int = 0
    credit_notes: int = 0
    reminders: int = 0

    def add(self, other: "BenchSummary") -> None:
        self.businesses += other.businesses
        self.users += other.users
        for name in ("clients", "invoices", "unpaid", "payments", "credit_notes", "reminders"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class _InvoicePlan:
    client: int
    issue_date: dt.date
    due_date: dt.date
    total_excl_tax: Decimal
    vat_amount: Decimal
    payments: list[tuple[dt.date, Decimal]] = field(default_factory=list)
    credit_note: tuple[dt.date, Decimal] | None = None
    cancelled_on: dt.date | None = None
    disputed: bool = False

    @property
    def total(self) -> Decimal:
        return self.total_excl_tax + self.vat_amount

    @property
    def amount_due(self) -> Decimal:
        credited = self.credit_note[1] if self.credit_note else ZERO
        return self.total - sum((amount for _, amount in self.payments), ZERO) - credited


@dataclass
class _ReminderPlan:
    client: int
    invoices: list[int]  # indexes into the business's invoice plans
    level: int
    day: dt.date
    previous: tuple[dt.date, ...]
    at: dt.datetime = field(default_factory=lambda: dt.datetime.min)


# Existing bench data


def bench_businesses(*, tenants: bool = True) -> QuerySet[Business]:
    """Every bench business, or without `tenants` those of the measured books only."""
    users = User.objects.filter(email__endswith=f"@{BENCH_DOMAIN}")
    if not tenants:
        users = users.exclude(email__startswith=TENANT_PREFIX)
    return Business.objects.filter(pk__in=users.values("business_id"))


def tenant_businesses() -> QuerySet[Business]:
    return Business.objects.filter(
        pk__in=User.objects.filter(email__startswith=TENANT_PREFIX, email__endswith=f"@{BENCH_DOMAIN}").values(
            "business_id"
        )
    )


def bench_data_exists() -> bool:
    return User.objects.filter(email__endswith=f"@{BENCH_DOMAIN}").exists()


def remove_bench_data(*, tenants: bool = True) -> int:
    """Delete every bench business with all it owns, and the bench users; returns the businesses deleted.

    Without `tenants`, the many small businesses stay: `make bench` reuses those that
    `relance bench-data` took minutes to write."""
    owned = [
        model
        for model in apps.get_models()
        if any(f.many_to_one and f.name == "business" and f.related_model is Business for f in model._meta.get_fields())
    ]
    with transaction.atomic():
        business_ids = list(bench_businesses(tenants=tenants).values_list("pk", flat=True))
        # Reminders protect invoices and invoices protect clients: delete the blocked models
        # again once what blocked them is gone.
        pending = owned
        for _ in range(len(owned)):
            blocked = []
            for model in pending:
                try:
                    with transaction.atomic():
                        model._default_manager.filter(business_id__in=business_ids).delete()
                except (ProtectedError, RestrictedError):
                    blocked.append(model)
            pending = blocked
        User.objects.filter(business_id__in=business_ids).delete()
        Business.objects.filter(pk__in=business_ids).delete()
    return len(business_ids)


def bench_email(seed: int, index: int) -> str:
    return f"bench-{seed}-{index:04d}@{BENCH_DOMAIN}"


# Identifiers that pass the product's checks


def _luhn_completed(body: str) -> str:
    return next(body + str(key) for key in range(10) if luhn_ok(body + str(key)))


def _siret(rng: random.Random) -> str:
    siren = _luhn_completed(f"{rng.randint(3, 9)}{rng.randrange(10**7):07d}")
    return _luhn_completed(f"{siren}{rng.randrange(10**4):04d}")


def _iban(rng: random.Random) -> str:
    bban = f"30004{rng.randrange(10**5):05d}{rng.randrange(10**11):011d}{rng.randrange(100):02d}"
    numeric = "".join(str(int(char, 36)) for char in bban + "FR00")
    return f"FR{98 - int(numeric) % 97:02d}{bban}"


# Generation


def generate(
    *,
    businesses: int,
    invoices_per_business: int,
    seed: int,
    today: dt.date,
    reminders_per_business: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> BenchSummary:
    """Write `businesses` businesses of `invoices_per_business` invoices each, in one transaction per business."""
    rng = random.Random(seed)
    password = make_password(BENCH_PASSWORD)
    summary = BenchSummary()
    for index in range(businesses):
        with transaction.atomic():
            part = _generate_business(
                rng=rng,
                email=bench_email(seed, index),
                password=password,
                invoices=invoices_per_business,
                reminders=reminders_per_business,
                today=today,
            )
        summary.add(part)
        if progress is not None:
            progress(
                f"{part.businesses[0]} : {part.invoices} factures, {part.unpaid} impayées, "
                f"{part.payments} règlements, {part.reminders} relances"
            )
    return summary


# Books for one pass of the automatic-reminder scheduler: only open invoices, all due between
# `DUE_SPAN` days before the pass, so that with the default plan (J-3, J+7, J+21, J+45) each has
# exactly one step due, the J+7 e-mail; `INVOICES_PER_DUE_CLIENT` of them per client, which
# makes one reminder per client. Every client has an e-mail address: every reminder leaves.
DUE_SPAN = (7, 20)
INVOICES_PER_DUE_CLIENT = 4
SCHEDULER_PREFIX = "scheduler-"


def generate_due(*, businesses: int, invoices: int, seed: int, day: dt.date) -> list[Business]:
    """Write `businesses` businesses sharing `invoices` open invoices, each at its J+7 step on `day`."""
    rng = random.Random(seed)
    password = make_password(BENCH_PASSWORD)
    made = []
    for index in range(businesses):
        count = invoices // businesses + (1 if index < invoices % businesses else 0)
        with transaction.atomic():
            business = _create_business(rng)
            user = User(
                email=f"{SCHEDULER_PREFIX}{seed}-{index:05d}@{BENCH_DOMAIN}",
                password=password,
                business=business,
                name=business.signature_name,
            )
            User.objects.bulk_create([user])
            ReminderTemplate.objects.bulk_create(
                [ReminderTemplate(business=business, **row) for row in default_templates()]
            )
            clients = _create_clients(rng, business, max(1, math.ceil(count / INVOICES_PER_DUE_CLIENT)))
            for client in clients:
                client.kind = Client.Kind.BUSINESS
                client.email = client.email or f"compta{rng.randrange(10**6)}@client.example"
            Client.objects.bulk_update(clients, ["kind", "email"], batch_size=BATCH_SIZE)
            vat = business.vat_status == Business.VatStatus.VAT
            rows = []
            for number in range(count):
                due = day - dt.timedelta(days=rng.randint(*DUE_SPAN))
                ht = _amount(rng)
                tax = quantize(ht * VAT_RATE) if vat else ZERO
                rows.append(
                    Invoice(
                        business=business,
                        client=clients[number // INVOICES_PER_DUE_CLIENT],
                        number=f"F{due.year}-{number + 1:05d}",
                        issue_date=due - dt.timedelta(days=30),
                        due_date=due,
                        total_excl_tax=ht,
                        vat_amount=tax,
                        total_incl_tax=ht + tax,
                        amount_due=ht + tax,
                    )
                )
            Invoice.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        made.append(business)
    return made


# Many small businesses on one server: sizes drawn from a log-normal law around the median, the
# largest few set to `largest`. With the defaults (4,000 businesses, median 200, spread 1.3,
# three of 50,000) that is about two million invoices.
TENANT_SPREAD = 1.33
TENANT_FEWEST = 5
TENANT_PREFIX = "tenant-"


def tenant_email(seed: int, index: int) -> str:
    return f"{TENANT_PREFIX}{seed}-{index:05d}@{BENCH_DOMAIN}"


def tenant_sizes(*, businesses: int, median: int, largest: int, largest_count: int, seed: int) -> list[int]:
    """How many invoices each business has: log-normal around `median`, at most `largest`, and
    `largest_count` of them exactly `largest`; in a shuffled order, repeatable from the seed."""
    rng = random.Random(seed)
    sizes = [
        min(largest, max(TENANT_FEWEST, round(median * math.exp(rng.gauss(0, TENANT_SPREAD)))))
        for _ in range(businesses)
    ]
    order = sorted(range(businesses), key=lambda index: sizes[index], reverse=True)
    for index in order[: min(largest_count, businesses)]:
        sizes[index] = largest
    return sizes


def generate_tenants(
    *,
    businesses: int,
    median: int,
    largest: int,
    largest_count: int,
    seed: int,
    today: dt.date,
    progress: Callable[[str], None] | None = None,
) -> BenchSummary:
    """Write many businesses of `tenant_sizes`, without reminders, one transaction each.

    Memory stays that of the largest business (its plans and rows), whatever the number of
    businesses; the summary keeps counts and the users, not the rows.
    """
    sizes = tenant_sizes(businesses=businesses, median=median, largest=largest, largest_count=largest_count, seed=seed)
    rng = random.Random(seed)
    password = make_password(BENCH_PASSWORD)
    summary = BenchSummary()
    for index, size in enumerate(sizes):
        with transaction.atomic():
            part = _generate_business(
                rng=rng, email=tenant_email(seed, index), password=password, invoices=size, reminders=0, today=today
            )
        summary.add(part)
        if progress is not None and (index + 1) % 250 == 0:
            progress(f"{index + 1} entreprises, {summary.invoices:,} factures".replace(",", "\u202f"))
    return summary


def _generate_business(
    *, rng: random.Random, email: str, password: str, invoices: int, reminders: int | None, today: dt.date
) -> BenchSummary:
    business = _create_business(rng)
    user = User(email=email, password=password, business=business, name=business.signature_name)
    User.objects.bulk_create([user])
    ReminderTemplate.objects.bulk_create([ReminderTemplate(business=business, **row) for row in default_templates()])
    clients = _create_clients(rng, business, max(5, invoices // INVOICES_PER_CLIENT))
    plans = _plan_invoices(rng, clients, invoices, today)
    rows = _create_invoices(rng, business, clients, plans)
    payments, credit_notes = _create_settlements(rng, business, rows, plans)
    reminder_count = _create_reminders(rng, business, user, clients, rows, plans, reminders, today)
    return BenchSummary(
        businesses=[business],
        users=[user],
        clients=len(clients),
        invoices=len(rows),
        unpaid=sum(1 for plan in plans if plan.cancelled_on is None and plan.amount_due > 0),
        payments=payments,
        credit_notes=credit_notes,
        reminders=reminder_count,
    )


def _create_business(rng: random.Random) -> Business:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    trade, activity = rng.choice(TRADES)
    postal_code, city = rng.choice(CITIES)
    slug = f"{first}-{last}".lower().replace("’", "").replace("é", "e").replace("è", "e").replace("ë", "e")
    vat = rng.random() < 0.3
    business = Business(
        legal_name=f"{first} {last}",
        trade_name=f"{trade} {last}",
        siret=_siret(rng),
        address_line1=f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
        postal_code=postal_code,
        city=city,
        phone=f"06 {rng.randrange(100):02d} {rng.randrange(100):02d} {rng.randrange(100):02d} {rng.randrange(100):02d}",
        email=f"contact@{slug}.example",
        iban=_iban(rng),
        bic="BNPAFRPPXXX",
        vat_status=Business.VatStatus.VAT if vat else Business.VatStatus.FRANCHISE,
        vat_number=f"FR{rng.randrange(100):02d}{_siret(rng)[:9]}" if vat else "",
        activity=activity,
        payment_terms=PaymentTerms.DAYS_30,
        signature_name=f"{first} {last}",
        signature_title=trade,
        sender_name=f"{first} {last} – {trade} {last}",
        reply_to_email=f"contact@{slug}.example",
    )
    Business.objects.bulk_create([business])
    return business


def _create_clients(rng: random.Random, business: Business, count: int) -> list[Client]:
    clients = []
    for _ in range(count):
        consumer = rng.random() < 0.15
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        postal_code, city = rng.choice(CITIES)
        if consumer:
            name, contact = f"{first} {last}", ""
        else:
            form = rng.choice(LEGAL_FORMS)
            name, contact = f"{rng.choice(CLIENT_KINDS)} {last}{' ' + form if form else ''}", f"{first} {last}"
        clients.append(
            Client(
                business=business,
                kind=Client.Kind.CONSUMER if consumer else Client.Kind.BUSINESS,
                name=name,
                contact_name=contact,
                email="" if rng.random() < 0.1 else f"compta{rng.randrange(10**6)}@client.example",
                address_line1=f"{rng.randint(1, 200)} {rng.choice(STREETS)}",
                postal_code=postal_code,
                city=city,
                siren="" if consumer else _siret(rng)[:9],
            )
        )
    return Client.objects.bulk_create(clients, batch_size=BATCH_SIZE)


def _amount(rng: random.Random) -> Decimal:
    """Between 60 € and 5,000 € excluding tax, most invoices small, in steps of 5 €."""
    euros = math.exp(rng.uniform(math.log(60), math.log(5000)))
    return quantize(Decimal(max(1, round(euros / 5)) * 5))


def _plan_invoices(rng: random.Random, clients: list[Client], count: int, today: dt.date) -> list[_InvoicePlan]:
    """Exactly `UNPAID_SHARE` of the invoices unpaid, spread over the buckets by `UNPAID_SPREAD`."""
    vat = clients[0].business.vat_status == Business.VatStatus.VAT if clients else False
    # A few clients get most of the invoices, as in real books.
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(clients))]
    owners = rng.choices(range(len(clients)), weights=weights, k=count)
    terms = [rng.choice(CLIENT_TERMS) for _ in clients]
    habits = [rng.choice(list(PAYMENT_DELAYS)) for _ in clients]
    unpaid = set(rng.sample(range(count), round(count * UNPAID_SHARE)))
    bands = _bands(len(unpaid))
    plans = []
    for index, owner in enumerate(owners):
        ht = _amount(rng)
        plan = _InvoicePlan(owner, today, today, ht, quantize(ht * VAT_RATE) if vat else ZERO)
        if index in unpaid:
            _plan_unpaid(rng, plan, bands.pop(), terms[owner], today)
        else:
            _plan_paid(rng, plan, terms[owner], PAYMENT_DELAYS[habits[owner]], today)
        plans.append(plan)
    return plans


def _bands(count: int) -> list[tuple[int, int]]:
    bands = []
    for share, low, high in UNPAID_SPREAD:
        bands += [(low, high)] * round(count * share)
    while len(bands) < count:
        bands.append(UNPAID_SPREAD[0][1:])
    return bands[:count]


def _plan_unpaid(rng: random.Random, plan: _InvoicePlan, band: tuple[int, int], terms: int, today: dt.date) -> None:
    low, high = band
    if high <= 0:
        # Not yet due: issued within its payment terms.
        plan.issue_date = today - dt.timedelta(days=rng.randint(0, terms))
        plan.due_date = plan.issue_date + dt.timedelta(days=terms)
    else:
        plan.due_date = today - dt.timedelta(days=rng.randint(low, high))
        plan.issue_date = plan.due_date - dt.timedelta(days=terms)
        plan.disputed = rng.random() < DISPUTED_SHARE
    if rng.random() < PARTLY_PAID_SHARE:
        latest = min(today, plan.due_date + dt.timedelta(days=30))
        day = plan.issue_date + dt.timedelta(days=rng.randint(0, (latest - plan.issue_date).days))
        plan.payments.append((day, quantize(plan.total * Decimal(rng.choice(["0.20", "0.30", "0.50", "0.60"])))))


def _plan_paid(rng: random.Random, plan: _InvoicePlan, terms: int, delays: tuple[int, int], today: dt.date) -> None:
    plan.issue_date = today - dt.timedelta(days=rng.randint(0, HISTORY_DAYS))
    plan.due_date = plan.issue_date + dt.timedelta(days=terms)
    if rng.random() < CANCELLED_SHARE:
        plan.cancelled_on = min(today, plan.issue_date + dt.timedelta(days=rng.randint(1, 10)))
        return
    remaining = plan.total
    if rng.random() < CREDIT_NOTE_SHARE:
        amount = quantize(plan.total * Decimal(rng.choice(["0.10", "0.15", "0.25"])))
        plan.credit_note = (min(today, plan.issue_date + dt.timedelta(days=rng.randint(2, 20))), amount)
        remaining -= amount
    paid_on = plan.due_date + dt.timedelta(days=rng.randint(*delays))
    paid_on = min(today, max(plan.issue_date, paid_on))
    if rng.random() < SPLIT_PAYMENT_SHARE:
        first = quantize(remaining * Decimal(rng.choice(["0.30", "0.40", "0.50"])))
        first_on = max(plan.issue_date, paid_on - dt.timedelta(days=rng.randint(10, 40)))
        plan.payments = [(first_on, first), (paid_on, remaining - first)]
    else:
        plan.payments = [(paid_on, remaining)]


def _at(rng: random.Random, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(8, 19), rng.randrange(60), rng.randrange(60)), tzinfo=PARIS)


def _create_invoices(
    rng: random.Random, business: Business, clients: list[Client], plans: list[_InvoicePlan]
) -> list[Invoice]:
    """Numbered in date order, one sequence per year, as an invoicing tool would."""
    order = sorted(range(len(plans)), key=lambda i: (plans[i].issue_date, i))
    numbers: dict[int, str] = {}
    per_year: dict[int, int] = defaultdict(int)
    for index in order:
        year = plans[index].issue_date.year
        per_year[year] += 1
        numbers[index] = f"F{year}-{per_year[year]:05d}"
    rows = []
    for index, plan in enumerate(plans):
        rows.append(
            Invoice(
                business=business,
                client=clients[plan.client],
                number=numbers[index],
                issue_date=plan.issue_date,
                due_date=plan.due_date,
                total_excl_tax=plan.total_excl_tax,
                vat_amount=plan.vat_amount,
                total_incl_tax=plan.total,
                amount_due=plan.amount_due,
                cancelled_at=_at(rng, plan.cancelled_on) if plan.cancelled_on else None,
                cancel_reason="Facture émise en double" if plan.cancelled_on else "",
                disputed=plan.disputed,
                dispute_reason=rng.choice(DISPUTE_REASONS) if plan.disputed else "",
            )
        )
    return Invoice.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def _create_settlements(
    rng: random.Random, business: Business, rows: list[Invoice], plans: list[_InvoicePlan]
) -> tuple[int, int]:
    payments = []
    credit_notes = []
    for invoice, plan in zip(rows, plans, strict=True):
        for day, amount in plan.payments:
            payments.append(
                Payment(
                    business=business,
                    invoice=invoice,
                    date=day,
                    amount=amount,
                    method=rng.choice(METHODS),
                    reference=f"VIR {invoice.number}",
                )
            )
        if plan.credit_note is not None:
            day, amount = plan.credit_note
            credit_notes.append(
                CreditNote(
                    business=business,
                    invoice=invoice,
                    number=f"AV-{invoice.number}",
                    date=day,
                    amount=amount,
                    reason=rng.choice(CREDIT_REASONS),
                )
            )
    Payment.objects.bulk_create(payments, batch_size=BATCH_SIZE)
    CreditNote.objects.bulk_create(credit_notes, batch_size=BATCH_SIZE)
    return len(payments), len(credit_notes)


# Reminders


def _plan_reminders(
    rng: random.Random, plans: list[_InvoicePlan], count: int | None, today: dt.date
) -> list[_ReminderPlan]:
    """Reminders about late invoices of one client each, escalating: an invoice is first reminded
    once late, then at least two weeks after its previous reminder, one level higher each time."""
    late: dict[int, list[int]] = defaultdict(list)
    for index, plan in enumerate(plans):
        if plan.cancelled_on is None and plan.amount_due > 0 and plan.due_date < today:
            late[plan.client].append(index)
    if not late:
        return []
    total_late = sum(len(indexes) for indexes in late.values())
    count = round(total_late * REMINDERS_PER_LATE_INVOICE) if count is None else count
    owners = list(late)
    cumulative = list(itertools.accumulate(len(late[owner]) for owner in owners))
    levels: dict[int, int] = {}
    dates: dict[int, list[dt.date]] = defaultdict(list)

    def earliest(index: int) -> dt.date:
        if dates[index]:
            return dates[index][-1] + dt.timedelta(days=14)
        return plans[index].due_date + dt.timedelta(days=1)

    reminders: list[_ReminderPlan] = []
    # Bounded: a small business may not have enough late invoices for the count asked.
    for _ in range(count * 50):
        if len(reminders) == count:
            break
        owner = rng.choices(owners, cum_weights=cumulative)[0]
        ready = [index for index in late[owner] if earliest(index) <= today]
        if not ready:
            continue
        size = min(len(ready), rng.choices([1, 2, 3, 10], weights=[65, 20, 10, 5])[0])
        invoices = sorted(rng.sample(ready, size))
        level = min(3, 1 + max(levels.get(index, 0) for index in invoices))
        start = max(earliest(index) for index in invoices)
        day = min(today, start + dt.timedelta(days=rng.randint(0, 20)))
        previous = tuple(sorted({d for index in invoices for d in dates[index]}))
        for index in invoices:
            levels[index] = level
            dates[index].append(day)
        reminders.append(_ReminderPlan(owner, invoices, level, day, previous, _at(rng, day)))
    return reminders


def _create_reminders(
    rng: random.Random,
    business: Business,
    user: User,
    clients: list[Client],
    rows: list[Invoice],
    plans: list[_InvoicePlan],
    count: int | None,
    today: dt.date,
) -> int:
    reminder_plans = sorted(_plan_reminders(rng, plans, count, today), key=lambda plan: plan.at)
    business_facts = BusinessFacts.from_business(business)
    client_facts = [ClientFacts.from_client(client) for client in clients]
    per_year: dict[int, int] = defaultdict(int)
    reminders = []
    for plan in reminder_plans:
        per_year[plan.day.year] += 1
        reference = f"R-{plan.day.year}-{per_year[plan.day.year]:04d}"
        client = clients[plan.client]
        invoices = [(rows[index], plans[index]) for index in plan.invoices]
        reminders.append(
            _frozen_reminder(
                rng, business, business_facts, user, client, client_facts[plan.client], invoices, plan, reference
            )
        )
    Reminder.objects.bulk_create(reminders, batch_size=BATCH_SIZE)
    lines = [
        ReminderInvoice(reminder=reminder, invoice=rows[index])
        for reminder, plan in zip(reminders, reminder_plans, strict=True)
        for index in plan.invoices
    ]
    ReminderInvoice.objects.bulk_create(lines, batch_size=BATCH_SIZE)
    # What dunning's save service does when it freezes a reminder: the quoted invoices are locked.
    quoted = ReminderInvoice.objects.filter(reminder__business=business).values("invoice_id")
    Invoice.objects.filter(pk__in=quoted).update(quoted_at=timezone.now())
    return len(reminders)


def invoice_facts(invoice: Invoice, *, on: dt.date, penalties: bool, consumer: bool) -> InvoiceFacts:
    days_late = max(0, (on - invoice.due_date).days)
    interest = ZERO
    if penalties and not consumer:
        interest = quantize(invoice.amount_due * INTEREST_RATE / 100 * days_late / 365)
    return InvoiceFacts(
        number=invoice.number,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        total=invoice.total_incl_tax,
        paid=invoice.total_incl_tax - invoice.amount_due,
        amount_due=invoice.amount_due,
        days_late=days_late,
        interest=interest,
        indemnity=INDEMNITY_PER_INVOICE if penalties and not consumer else ZERO,
    )


def reminder_facts(
    *,
    business: BusinessFacts,
    client: ClientFacts,
    invoices: Iterable[InvoiceFacts],
    level: int,
    day: dt.date,
    reference: str,
    previous: tuple[dt.date, ...] = (),
) -> ReminderFacts:
    """Level 2 and 3 claim penalties (as the default templates do); a consumer owes none here."""
    penalties = level >= 2
    return ReminderFacts(
        business=business,
        client=client,
        invoices=tuple(invoices),
        level=level,
        reminder_date=day,
        reference=reference,
        include_penalties=penalties,
        rates=(INTEREST_RATE,) if penalties and not client.is_consumer else (),
        previous_reminder_dates=previous,
    )


def letter_for(facts: ReminderFacts, *, channel: str, place: str, registered_number: str = "") -> LetterData:
    """The letter the default template of the facts' level gives."""
    template = default_template(facts.level)
    return LetterData.from_texts(
        facts=facts,
        subject=template["letter_subject"],
        body=template["letter_body"],
        channel=channel,
        registered_number=registered_number,
        place=place,
    )


def _frozen_reminder(
    rng: random.Random,
    business: Business,
    business_facts: BusinessFacts,
    user: User,
    client: Client,
    client_facts: ClientFacts,
    invoices: list[tuple[Invoice, _InvoicePlan]],
    plan: _ReminderPlan,
    reference: str,
) -> Reminder:
    """A saved or sent reminder with the snapshot `dunning.facts` would have recorded at freezing."""
    channel = Channel.EMAIL if plan.level < 3 and client.email else Channel.LETTER
    facts = reminder_facts(
        business=business_facts,
        client=client_facts,
        invoices=[
            invoice_facts(invoice, on=plan.day, penalties=plan.level >= 2, consumer=client.is_consumer)
            for invoice, _ in invoices
        ],
        level=plan.level,
        day=plan.day,
        reference=reference,
        previous=plan.previous,
    )
    template = default_template(plan.level)
    values = build_values(facts)
    registered = f"1A{rng.randrange(10**11):011d}" if channel == Channel.LETTER and plan.level >= 3 else ""
    letter = letter_for(facts, channel=channel, place=business.city, registered_number=registered)
    texts = (
        (template["email_subject"], template["email_body"])
        if channel == Channel.EMAIL
        else (template["letter_subject"], template["letter_body"])
    )
    subject = render_facts(texts[0], facts)
    body_text = render_text(texts[1], values)
    body_html = render_html(texts[1], values)
    email = None
    if channel == Channel.EMAIL:
        email = render_email(
            business=business,
            client=client,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            attachments=[f"relance-{reference}.pdf"],
        )
    rendered = Rendered(
        facts=facts,
        channel=channel,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        letter=letter,
        letter_text=render_text(template["letter_body"], values),
        letter_html=render_html(template["letter_body"], values),
        email=email,
        lines=[
            InvoiceLine(facts=f, invoice_id=invoice.pk)
            for f, (invoice, _) in zip(facts.invoices, invoices, strict=True)
        ],
        template_texts={
            "subject": texts[0],
            "body": texts[1],
            "letter_subject": template["letter_subject"] if channel == Channel.EMAIL else "",
            "letter_body": template["letter_body"] if channel == Channel.EMAIL else "",
        },
        frozen=True,
    )
    sent = channel == Channel.EMAIL
    return Reminder(
        business=business,
        client=client,
        level=plan.level,
        channel=channel,
        status=Reminder.Status.SENT if sent else Reminder.Status.SAVED,
        subject=subject,
        body=body_text,
        created_by=user,
        frozen_at=plan.at,
        sent_at=plan.at + dt.timedelta(seconds=rng.randint(2, 90)) if sent else None,
        recipient_email=client.email if sent else "",
        message_id=f"<{reference}.{rng.randrange(10**12)}@{BENCH_DOMAIN}>" if sent else "",
        registered_number=registered,
        snapshot=rendered.snapshot(),
        deactivated_at=plan.at + dt.timedelta(days=3) if rng.random() < DEACTIVATED_SHARE else None,
        reference=reference,
        letter_subject=letter.subject if sent else "",
        letter_body=rendered.letter_text if sent else "",
        include_penalties=facts.include_penalties,
    )


# Stored letters (PDF/A), for the measures that read them


def _render_snapshot(snapshot: dict[str, Any]) -> bytes:
    return render_letter_pdf(rendered_from_snapshot(Reminder(snapshot=snapshot)).letter)


def store_reminder_pdfs(reminders: QuerySet[Reminder], *, workers: int = 2, chunk_size: int = 100) -> int:
    """Render and store the letter of every reminder without one, as freezing would have; returns how many.

    The letters are rendered by `workers` processes (none: in this one) while this process
    writes the files and their SHA-256, a chunk ahead.
    """
    ids = list(reminders.filter(pdf="").order_by("pk").values_list("pk", flat=True))
    chunks = [ids[start : start + chunk_size] for start in range(0, len(ids), chunk_size)]
    if not chunks:
        return 0
    if workers <= 0:
        for chunk in chunks:
            rows = _chunk_rows(chunk)
            _store(rows, [_render_snapshot(row.snapshot) for row in rows])
        return len(ids)
    context = get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=django.setup) as pool:

        def submit(chunk: list[int]) -> tuple[list[Reminder], list[Future[bytes]]]:
            rows = _chunk_rows(chunk)
            return rows, [pool.submit(_render_snapshot, row.snapshot) for row in rows]

        ahead = submit(chunks[0])
        for index in range(len(chunks)):
            rows, futures = ahead
            if index + 1 < len(chunks):
                ahead = submit(chunks[index + 1])
            _store(rows, [future.result() for future in futures])
    return len(ids)


def _chunk_rows(ids: list[int]) -> list[Reminder]:
    return list(Reminder.objects.filter(pk__in=ids).only("pk", "business_id", "reference", "snapshot").order_by("pk"))


def _store(rows: list[Reminder], pdfs: list[bytes]) -> None:
    """Named like `dunning.services` names a frozen reminder's letter."""
    for row, pdf in zip(rows, pdfs, strict=True):
        digest = hashlib.sha256(pdf).hexdigest()
        name = f"reminders/{row.business_id}/{row.reference}-{digest[:16]}.pdf"
        if not default_storage.exists(name):
            name = default_storage.save(name, ContentFile(pdf))
        row.pdf.name = name
        row.pdf_sha256 = digest
    Reminder.objects.bulk_update(rows, ["pdf", "pdf_sha256"])


# Letters for the PDF measure: varied, so that Typst's cache does not flatter the engine.


def sample_letter(rng: random.Random, *, invoices: int, today: dt.date) -> LetterData:
    """A level 2 reminder letter about `invoices` invoices, with its own names, numbers and amounts."""
    business = _business_facts(rng)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    postal_code, city = rng.choice(CITIES)
    client = ClientFacts(
        name=f"{rng.choice(CLIENT_KINDS)} {last} {rng.choice(LEGAL_FORMS)}".strip(),
        contact=f"{first} {last}",
        address_lines=(f"{rng.randint(1, 200)} {rng.choice(STREETS)}", f"{postal_code} {city}"),
        email="compta@client.example",
    )
    rows = []
    for _ in range(invoices):
        due = today - dt.timedelta(days=rng.randint(10, 200))
        total = _amount(rng)
        paid = quantize(total * Decimal(rng.choice(["0", "0", "0.30"])))
        days = (today - due).days
        rows.append(
            InvoiceFacts(
                number=f"F{due.year}-{rng.randrange(10**5):05d}",
                issue_date=due - dt.timedelta(days=30),
                due_date=due,
                total=total,
                paid=paid,
                amount_due=total - paid,
                days_late=days,
                interest=quantize((total - paid) * INTEREST_RATE / 100 * days / 365),
                indemnity=INDEMNITY_PER_INVOICE,
            )
        )
    facts = reminder_facts(
        business=business,
        client=client,
        invoices=rows,
        level=2,
        day=today,
        reference=f"R-{today.year}-{rng.randrange(10**4):04d}",
        previous=(today - dt.timedelta(days=rng.randint(15, 40)),),
    )
    return letter_for(facts, channel=Channel.LETTER, place=business.city)


def _business_facts(rng: random.Random) -> BusinessFacts:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    trade, _ = rng.choice(TRADES)
    postal_code, city = rng.choice(CITIES)
    return BusinessFacts(
        name=f"{trade} {last} EI",
        address_lines=(f"{rng.randint(1, 120)} {rng.choice(STREETS)}", f"{postal_code} {city}"),
        city=city,
        siret=_siret(rng),
        email=f"contact@{last.lower()}.example",
        phone="06 12 34 56 78",
        iban=_iban(rng),
        bic="BNPAFRPPXXX",
        vat_mention="TVA non applicable, art. 293 B du CGI",
        signatory_name=f"{first} {last}",
        signatory_title=trade,
    )
