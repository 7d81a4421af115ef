"""Demo data: a Lyon graphic designer and web developer, two years of invoices up to today.

The data is generated from a seed, relative to the day it is loaded, so that the product
always looks alive: most invoices paid (some late), partial payments, credit notes, two
cancelled invoices, and unpaid invoices in every lateness bucket. Rows are written with
`bulk_create`, and each invoice's `amount_due` is computed from the same payments and
credit notes that are inserted, so it equals `Invoice.computed_amount_due()`.
"""

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from accounts.models import Business, PaymentTerms, User
from accounts.validators import luhn_ok
from core.formats import quantize
from core.models import AuditEvent
from dunning.choices import Channel
from dunning.models import Reminder
from dunning.services import create_reminder, ensure_default_templates, save_reminder
from law.terms import due_date_for
from ledger.models import ZERO, Client, CreditNote, Invoice, Payment

DEMO_EMAIL = "demo@relance.test"
DEMO_PASSWORD = "relance-demo"  # noqa: S105 (published in the README on purpose)
DEFAULT_SEED = 2026
HISTORY_DAYS = 730
PARIS = ZoneInfo("Europe/Paris")

# Reserved numbers and domains (ARCEP's numbers for fiction, RFC 2606's ".example"), so that
# a demo reminder sent through a real SMTP server reaches nobody.
BUSINESS: dict[str, Any] = {
    "legal_name": "Léa Moulin",
    "trade_name": "Atelier Moulin",
    "ei_mention": True,
    "siret": "84215739800020",
    "address_line1": "18 rue Burdeau",
    "postal_code": "69001",
    "city": "Lyon",
    "phone": "04 65 71 23 45",
    "email": "contact@atelier-moulin.example",
    "website": "https://atelier-moulin.example",
    "iban": "FR7630004019280001047352981",
    "bic": "BNPAFRPPXXX",
    "vat_status": Business.VatStatus.FRANCHISE,
    "activity": Business.Activity.SERVICES,
    "payment_terms": PaymentTerms.DAYS_30,
    "penalty_terms": Business.PenaltyTerms.LEGAL,
    "signature_name": "Léa Moulin",
    "signature_title": "Graphiste et développeuse web",
    "sender_name": "Léa Moulin – Atelier Moulin",
    "reply_to_email": "contact@atelier-moulin.example",
}

# How a client pays: days after the due date (or None: never), and how often in two instalments.
PROFILES: dict[str, dict[str, Any]] = {
    "prompt": {"delay": (-20, 0), "never": 0.0, "split": 0.03},
    "regular": {"delay": (-5, 12), "never": 0.0, "split": 0.08},
    "slow": {"delay": (8, 70), "never": 0.02, "split": 0.15},
    "bad": {"delay": (30, 190), "never": 0.12, "split": 0.25},
}

PRO = Client.Kind.BUSINESS
CONSUMER = Client.Kind.CONSUMER


@dataclass(frozen=True)
class ClientSpec:
    kind: str
    name: str
    contact: str
    email: str | None
    address: str
    postal_code: str
    city: str
    profile: str
    weight: int
    terms: str = PaymentTerms.DAYS_30
    pause: tuple[str, int] | None = None  # reason, days from today until the pause ends


# fmt: off
CLIENTS = [
    ClientSpec(PRO, "Agence Hexagone Communication", "Marion Lacroix", "compta@hexagone-com.example",
               "56 rue de la République", "69002", "Lyon", "regular", 10),
    ClientSpec(PRO, "Nuvéo SAS", "Karim Haddad", "factures@nuveo.example",
               "40 rue du Président Édouard Herriot", "69002", "Lyon", "regular", 8, PaymentTerms.DAYS_60),
    ClientSpec(PRO, "Boulangerie Maison Giraud", "Paul Giraud", "contact@maison-giraud.example",
               "14 rue Saint-Jean", "69005", "Lyon", "prompt", 6),
    ClientSpec(PRO, "Brasserie des Canuts", "Sophie Perret", "sophie@brasserie-canuts.example",
               "23 boulevard de la Croix-Rousse", "69004", "Lyon", "slow", 5),
    ClientSpec(PRO, "Cabinet Morel & Associés", "Maître Hélène Morel", "secretariat@morel-avocats.example",
               "8 quai Saint-Antoine", "69002", "Lyon", "regular", 5, PaymentTerms.EOM_45_THEN),
    ClientSpec(PRO, "Les Amis du Vieux-Lyon", "Bernard Chastel", None,
               "2 place du Change", "69005", "Lyon", "prompt", 3),
    ClientSpec(PRO, "Domaine Chamonard", "Vincent Chamonard", "vincent@domaine-chamonard.example",
               "Le Bourg", "69910", "Villié-Morgon", "slow", 5),
    ClientSpec(PRO, "Garage Fontaine Automobiles", "Didier Fontaine", "garage.fontaine@fontaine-auto.example",
               "112 route de Vienne", "69008", "Lyon", "bad", 4,
               pause=("Litige sur la refonte du site : rendez-vous prévu avec le gérant", 21)),
    ClientSpec(PRO, "Librairie La Virgule", "Anne Cazals", "librairie@lavirgule.example",
               "31 rue Chevreul", "69007", "Lyon", "prompt", 4),
    ClientSpec(PRO, "Clinique vétérinaire des Brotteaux", "Dr Lucie Vasseur", "accueil@veto-brotteaux.example",
               "9 rue Tronchet", "69006", "Lyon", "regular", 4),
    ClientSpec(PRO, "Atelier Bois & Co", "Mathieu Roche", "contact@boisetco.example",
               "4 chemin des Mûriers", "69290", "Craponne", "slow", 3),
    ClientSpec(PRO, "Fromagerie Chapuis", "Claire Chapuis", "fromagerie.chapuis@chapuis.example",
               "102 cours Lafayette", "69003", "Lyon", "regular", 3),
    ClientSpec(PRO, "Compagnie Théâtre de l’Étoile", "Rémi Vidal", "administration@theatre-etoile.example",
               "17 rue des Tables-Claudiennes", "69001", "Lyon", "bad", 3,
               pause=("Échéancier accordé : trois mensualités", 45)),
    ClientSpec(PRO, "Julien Marchand, ostéopathe", "Julien Marchand", "cabinet@marchand-osteo.example",
               "6 avenue Jean Jaurès", "69007", "Lyon", "prompt", 2),
    ClientSpec(PRO, "Hôtel des Célestins", "Isabelle Brun", "direction@hotel-celestins.example",
               "4 rue des Archers", "69002", "Lyon", "regular", 3),
    ClientSpec(PRO, "Office de tourisme des Monts du Lyonnais", "Nathalie Perrin", "comptabilite@ot-monts.example",
               "Place de la Mairie", "69590", "Saint-Symphorien-sur-Coise", "slow", 3),
    ClientSpec(PRO, "Pharmacie du Parc", "Franck Delmas", "pharmacieduparc@pharmaparc.example",
               "88 boulevard des Belges", "69006", "Lyon", "prompt", 2),
    ClientSpec(PRO, "Studio Yoga Lumière", "Émilie Caron", "bonjour@yoga-lumiere.example",
               "21 rue Paul Bert", "69003", "Lyon", "slow", 3),
    ClientSpec(PRO, "Éditions du Rhône", "Gérard Masson", "fabrication@editions-rhone.example",
               "5 rue Mercière", "69002", "Lyon", "regular", 4, PaymentTerms.EOM_45_THEN),
    ClientSpec(PRO, "Cave L’Échanson", "Yann Le Goff", "yann@echanson.example",
               "15 rue Saint-Georges", "69005", "Lyon", "bad", 3),
    ClientSpec(PRO, "Restaurant Le Petit Bouchon", "Josiane Ferrand", None,
               "11 rue Mercière", "69002", "Lyon", "slow", 3),
    ClientSpec(PRO, "Coworking La Fabrique", "Alexis Tessier", "admin@lafabrique-coworking.example",
               "35 rue Marietton", "69009", "Lyon", "regular", 3),
    ClientSpec(PRO, "Agence immobilière Rive Gauche", "Sandrine Blanc", "agence@rivegauche-immo.example",
               "70 avenue de Saxe", "69003", "Lyon", "regular", 3),
    ClientSpec(PRO, "Transports Berthier", "Michel Berthier", "comptabilite@transports-berthier.example",
               "12 rue de Sacuny", "69800", "Saint-Priest", "slow", 3, PaymentTerms.DAYS_60),
    ClientSpec(PRO, "Alpes Outdoor SARL", "Pierre Dumont", "compta@alpes-outdoor.example",
               "3 avenue de Genève", "74000", "Annecy", "regular", 3),
    ClientSpec(PRO, "Festival Les Pentes en Fête", "Léna Guillot", "tresorerie@pentes-en-fete.example",
               "27 montée de la Grande-Côte", "69001", "Lyon", "slow", 2),
    ClientSpec(PRO, "Architectes Delorme & Vial", "Sébastien Delorme", "agence@delorme-vial.example",
               "27 rue Montesquieu", "69007", "Lyon", "prompt", 3),
    ClientSpec(PRO, "Kiné Santé Villeurbanne", "Aurélie Petit", "contact@kine-villeurbanne.example",
               "48 cours Émile Zola", "69100", "Villeurbanne", "regular", 2),
    ClientSpec(CONSUMER, "Élodie Fabre", "", "elodie.fabre@courriel.example",
               "7 rue Dumenge", "69004", "Lyon", "prompt", 1),
    ClientSpec(CONSUMER, "Thomas Lefèvre", "", "thomas.lefevre@courriel.example",
               "22 avenue Berthelot", "69007", "Lyon", "regular", 2),
    ClientSpec(CONSUMER, "Nadia Benali", "", None,
               "3 impasse des Lilas", "69500", "Bron", "slow", 1),
    ClientSpec(CONSUMER, "Claire et Antoine Garnier", "", "famille.garnier@courriel.example",
               "18 chemin de la Garde", "69130", "Écully", "prompt", 1),
    ClientSpec(CONSUMER, "Hugo Lambert", "", "hugo.lambert@courriel.example",
               "9 rue Vendôme", "69006", "Lyon", "bad", 2),
    ClientSpec(CONSUMER, "Chloé Robin", "", "chloe.robin@courriel.example",
               "44 rue Garibaldi", "69006", "Lyon", "prompt", 1),
    ClientSpec(CONSUMER, "Antoine Mercier", "", "a.mercier@courriel.example",
               "5 place Carnot", "69002", "Lyon", "regular", 1),
    ClientSpec(CONSUMER, "Inès Moreau", "", "ines.moreau@courriel.example",
               "61 rue de Marseille", "69007", "Lyon", "slow", 1),
    ClientSpec(CONSUMER, "Julien Faure", "", None,
               "2 allée des Tilleuls", "38200", "Vienne", "prompt", 1),
    ClientSpec(CONSUMER, "Camille Bonnet", "", "camille.bonnet@courriel.example",
               "13 quai Pierre Scize", "69009", "Lyon", "regular", 1),
    ClientSpec(CONSUMER, "Olivier Rousseau", "", "olivier.rousseau@courriel.example",
               "27 rue Bossuet", "69006", "Lyon", "slow", 2),
    ClientSpec(CONSUMER, "Manon Girard", "", None,
               "8 rue de la Thibaudière", "69007", "Lyon", "prompt", 1),
]

# What an invoice is for, and its price range in euros (franchise en base: no VAT).
PRO_WORK = [
    ("Maintenance du site – forfait mensuel", 80, 140, 36),
    ("Mise à jour des contenus du site", 60, 200, 20),
    ("Conception d’affiches et de flyers", 150, 420, 12),
    ("Mise en page de la plaquette commerciale", 280, 650, 6),
    ("Création de logo et charte graphique", 600, 1400, 2),
    ("Journées de développement web", 380, 380, 2),
    ("Menu et carte des vins", 150, 350, 4),
    ("Visuels pour les réseaux sociaux", 90, 280, 12),
    ("Refonte du site vitrine", 1500, 3200, 1),
    ("Audit SEO et recommandations", 400, 800, 2),
]
CONSUMER_WORK = [
    ("Faire-part et papeterie de mariage", 140, 380, 3),
    ("Site personnel (portfolio)", 450, 900, 1),
    ("Retouches photo et livre souvenir", 70, 260, 3),
    ("Carte de vœux personnalisée", 60, 150, 2),
]

# Unpaid invoices placed on purpose so that every lateness bucket has some, whatever today
# is: (days late on today, negative when not yet due; client; share already paid; dispute reason).
LATE_ON_PURPOSE: list[tuple[int, str, Decimal, str]] = [
    (-25, "Agence Hexagone Communication", ZERO, ""),
    (-12, "Thomas Lefèvre", ZERO, ""),
    (-3, "Nuvéo SAS", ZERO, ""),
    (4, "Brasserie des Canuts", ZERO, ""),
    (11, "Studio Yoga Lumière", ZERO, ""),
    (19, "Restaurant Le Petit Bouchon", ZERO, ""),
    (27, "Olivier Rousseau", ZERO, ""),
    (36, "Domaine Chamonard", Decimal("0.40"), ""),
    (47, "Transports Berthier", ZERO, ""),
    (58, "Hugo Lambert", ZERO, ""),
    (64, "Cave L’Échanson", ZERO, ""),
    (79, "Compagnie Théâtre de l’Étoile", Decimal("0.33"), ""),
    (88, "Festival Les Pentes en Fête", ZERO, ""),
    (103, "Garage Fontaine Automobiles", ZERO, "Le client conteste le nombre de journées facturées."),
    (141, "Cave L’Échanson", Decimal("0.50"), ""),
    (212, "Garage Fontaine Automobiles", ZERO, ""),
]
# fmt: on
RANDOM_INVOICES = 284
CANCELLED = 2
CREDIT_NOTE_REASONS = [
    "Remise commerciale accordée",
    "Une journée facturée en trop",
    "Prestation partiellement annulée",
    "Geste commercial (retard de livraison)",
]
CANCEL_REASONS = ["Facture émise en double", "Projet abandonné avant son démarrage"]


class DemoAlreadyLoaded(Exception):
    pass


@dataclass
class DemoSummary:
    business: Business
    user: User
    clients: int = 0
    invoices: int = 0
    payments: int = 0
    credit_notes: int = 0
    reminders: int = 0


@dataclass
class _Invoice:
    client: int
    issue_date: dt.date
    due_date: dt.date
    total: Decimal
    label: str
    payments: list[tuple[dt.date, Decimal]] = field(default_factory=list)
    credit_note: tuple[dt.date, Decimal, str] | None = None
    cancelled_on: dt.date | None = None
    dispute_reason: str = ""


def demo_exists() -> bool:
    return User.objects.filter(email=DEMO_EMAIL).exists()


def remove_demo() -> None:
    """Delete the demo user and its business, with everything the business owns."""
    with transaction.atomic():
        for user in User.objects.filter(email=DEMO_EMAIL).select_related("business"):
            if user.business is not None:
                _delete_business(user.business)
            User.objects.filter(pk=user.pk).delete()


def _delete_business(business: Business) -> None:
    """Invoices protect their clients and reminders protect their invoices, so the rows are
    deleted model by model, retrying the blocked ones once what blocked them is gone. Every
    model with a `business` key is found, including those added by later features."""
    pending = [
        model
        for model in apps.get_models()
        if any(f.many_to_one and f.name == "business" and f.related_model is Business for f in model._meta.get_fields())
    ]
    for _ in range(len(pending)):
        blocked = []
        for model in pending:
            try:
                with transaction.atomic():
                    model._default_manager.filter(business=business).delete()
            except (ProtectedError, RestrictedError):
                blocked.append(model)
        pending = blocked
    business.delete()


def load_demo(*, today: dt.date, seed: int = DEFAULT_SEED) -> DemoSummary:
    if demo_exists():
        raise DemoAlreadyLoaded(DEMO_EMAIL)
    rng = random.Random(seed)
    with transaction.atomic():
        business = Business.objects.create(**BUSINESS)
        user = User.objects.create_user(DEMO_EMAIL, DEMO_PASSWORD, business=business, name="Léa Moulin")
        clients = _create_clients(business, today, rng)
        plans = _plan_invoices(today, rng)
        summary = _create_invoices(business, user, clients, plans, rng)
        ensure_default_templates(business)
        summary.reminders = _create_reminders(business, user, today)
        summary.clients = len(clients)
    return summary


def _create_reminders(business: Business, user: User, today: dt.date) -> int:
    """A past history of printed reminders, so that "Lettres de relance" is not empty: for a
    dozen clients with long-late invoices, a friendly reminder 10 days after the due date, a
    second one 20 days later, and for the oldest a formal notice with its registered letter."""
    late = (
        Invoice.objects.late_on(today - dt.timedelta(days=12))
        .filter(business=business, disputed=False)
        .select_related("client")
        .order_by("due_date", "id")
    )
    oldest_per_client: dict[int, Invoice] = {}
    for invoice in late:
        oldest_per_client.setdefault(invoice.client_id, invoice)
    steps: list[tuple[dt.date, int, Invoice]] = []
    for index, invoice in enumerate(list(oldest_per_client.values())[:12]):
        ladder = [(1, 10), (2, 30), (3, 60)] if index < 3 else [(1, 10), (2, 30)] if index < 7 else [(1, 10)]
        steps += [(invoice.due_date + dt.timedelta(days=offset), level, invoice) for level, offset in ladder]
    # In date order, so that references (R-2026-0001, …) follow the calendar as in real use.
    steps = sorted((step for step in steps if step[0] < today), key=lambda step: (step[0], step[2].pk))
    for day, level, invoice in steps:
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))
        draft = create_reminder(
            business=business, actor=user, invoice_ids=[invoice.pk], level=level, channel=Channel.LETTER
        )
        # In the demo's story the clients' pauses came after these past reminders.
        reminder = save_reminder(reminder=draft, actor=user, now=moment, confirm_dispute_or_pause=True)
        if level == 3:
            Reminder.objects.filter(pk=reminder.pk).update(
                registered_number=f"1A {170000000 + invoice.pk:09d} 4", receipt_date=day + dt.timedelta(days=2)
            )
    return len(steps)


def _siren(rng: random.Random) -> str:
    body = f"{rng.randint(3, 9)}{rng.randrange(10**7):07d}"
    return next(body + str(key) for key in range(10) if luhn_ok(body + str(key)))


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(8, 18), rng.randrange(60)), tzinfo=PARIS)


def _create_clients(business: Business, today: dt.date, rng: random.Random) -> list[Client]:
    clients = []
    for spec in CLIENTS:
        paused = spec.pause is not None
        clients.append(
            Client(
                business=business,
                kind=spec.kind,
                name=spec.name,
                contact_name=spec.contact,
                email=spec.email or "",
                phone=f"{rng.choice(['04 65 71', '06 39 98'])} {rng.randrange(100):02d} {rng.randrange(100):02d}",
                address_line1=spec.address,
                postal_code=spec.postal_code,
                city=spec.city,
                siren=_siren(rng) if spec.kind == PRO else "",
                reminders_paused=paused,
                pause_reason=spec.pause[0] if spec.pause else "",
                pause_until=today + dt.timedelta(days=spec.pause[1]) if spec.pause else None,
            )
        )
    return Client.objects.bulk_create(clients)


def _price(rng: random.Random, kind: str) -> tuple[str, Decimal]:
    work = PRO_WORK if kind == PRO else CONSUMER_WORK
    label, low, high, _ = rng.choices(work, weights=[w[3] for w in work])[0]
    if low == high:
        days = rng.randint(1, 3)
        return f"{label} ({days} j)", quantize(Decimal(low * days))
    return label, quantize(Decimal(rng.randrange(low, high + 1, 5)))


def _plan_invoices(today: dt.date, rng: random.Random) -> list[_Invoice]:
    by_name = {spec.name: index for index, spec in enumerate(CLIENTS)}
    # Every client has at least one invoice; the others go by each client's weight.
    owners = list(range(len(CLIENTS)))
    owners += rng.choices(owners, weights=[spec.weight for spec in CLIENTS], k=RANDOM_INVOICES - len(CLIENTS))
    plans = []
    for owner in owners:
        spec = CLIENTS[owner]
        issue = today - dt.timedelta(days=rng.randint(8, HISTORY_DAYS))
        label, total = _price(rng, spec.kind)
        plan = _Invoice(owner, issue, due_date_for(issue, spec.terms), total, label)
        _plan_settlement(plan, PROFILES[spec.profile], today, rng)
        plans.append(plan)
    for plan in rng.sample([p for p in plans if not p.payments and p.credit_note is None], CANCELLED):
        plan.cancelled_on = min(plan.issue_date + dt.timedelta(days=rng.randint(1, 12)), today)
    for days_late, name, paid_share, dispute in LATE_ON_PURPOSE:
        owner = by_name[name]
        due = today - dt.timedelta(days=days_late)
        issue = due - dt.timedelta(days=30)
        label, total = _price(rng, CLIENTS[owner].kind)
        plan = _Invoice(owner, issue, due, total, label, dispute_reason=dispute)
        if paid_share:
            plan.payments.append((min(due, today), quantize(total * paid_share)))
        plans.append(plan)
    plans.sort(key=lambda p: p.issue_date)
    return plans


def _plan_settlement(plan: _Invoice, profile: dict[str, Any], today: dt.date, rng: random.Random) -> None:
    """Payments (and sometimes a credit note) as this client would make them; what would
    happen after today has not happened yet, which leaves recent invoices open."""
    remaining = plan.total
    if rng.random() < 0.035:
        credit_day = plan.issue_date + dt.timedelta(days=rng.randint(2, 20))
        if credit_day <= today:
            amount = quantize(plan.total * Decimal(rng.choice(["0.10", "0.15", "0.20", "0.25"])))
            plan.credit_note = (credit_day, amount, rng.choice(CREDIT_NOTE_REASONS))
            remaining -= amount
    if rng.random() < profile["never"]:
        return
    paid_on = plan.due_date + dt.timedelta(days=rng.randint(*profile["delay"]))
    paid_on = max(paid_on, plan.issue_date + dt.timedelta(days=1))
    if rng.random() < profile["split"]:
        first = quantize(remaining * Decimal(rng.choice(["0.30", "0.40", "0.50"])))
        first_on = max(plan.issue_date + dt.timedelta(days=1), paid_on - dt.timedelta(days=rng.randint(15, 40)))
        instalments = [(first_on, first), (paid_on, remaining - first)]
    else:
        instalments = [(paid_on, remaining)]
    plan.payments = [(day, amount) for day, amount in instalments if day <= today]


def _method(rng: random.Random, kind: str) -> str:
    if kind == PRO:
        return rng.choices([Payment.Method.TRANSFER, Payment.Method.CHEQUE, Payment.Method.CARD], [80, 15, 5])[0]
    return rng.choices(
        [Payment.Method.TRANSFER, Payment.Method.CARD, Payment.Method.CHEQUE, Payment.Method.CASH], [40, 30, 20, 10]
    )[0]


def _create_invoices(
    business: Business, user: User, clients: list[Client], plans: list[_Invoice], rng: random.Random
) -> DemoSummary:
    per_year: dict[int, int] = {}
    invoices = []
    for plan in plans:
        per_year[plan.issue_date.year] = per_year.get(plan.issue_date.year, 0) + 1
        credited = plan.credit_note[1] if plan.credit_note else ZERO
        invoices.append(
            Invoice(
                business=business,
                client=clients[plan.client],
                number=f"F-{plan.issue_date.year}-{per_year[plan.issue_date.year]:03d}",
                issue_date=plan.issue_date,
                due_date=plan.due_date,
                total_excl_tax=plan.total,
                vat_amount=ZERO,
                total_incl_tax=plan.total,
                amount_due=plan.total - credited - sum((amount for _, amount in plan.payments), ZERO),
                notes=plan.label,
                cancelled_at=_at(plan.cancelled_on, rng) if plan.cancelled_on else None,
                cancel_reason=rng.choice(CANCEL_REASONS) if plan.cancelled_on else "",
                disputed=bool(plan.dispute_reason),
                dispute_reason=plan.dispute_reason,
            )
        )
    invoices = Invoice.objects.bulk_create(invoices)

    payments: list[Payment] = []
    notes: list[CreditNote] = []
    credit_numbers: dict[int, int] = {}
    for plan, invoice in zip(plans, invoices, strict=True):
        kind = clients[plan.client].kind
        for day, amount in plan.payments:
            payments.append(
                Payment(
                    business=business,
                    invoice=invoice,
                    date=day,
                    amount=amount,
                    method=_method(rng, kind),
                    reference=f"Règlement facture {invoice.number}",
                )
            )
        if plan.credit_note:
            day, amount, reason = plan.credit_note
            credit_numbers[day.year] = credit_numbers.get(day.year, 0) + 1
            notes.append(
                CreditNote(
                    business=business,
                    invoice=invoice,
                    number=f"AV-{day.year}-{credit_numbers[day.year]:03d}",
                    date=day,
                    amount=amount,
                    reason=reason,
                )
            )
    payments = Payment.objects.bulk_create(payments)
    notes = CreditNote.objects.bulk_create(notes)

    # bulk_create stamps auto_now(_add) fields with the current time, but the story is two
    # years long: each row (and its audit event) is dated on the day it happened.
    first_issue: dict[int, dt.date] = {}
    for plan, invoice in zip(plans, invoices, strict=True):
        first_issue.setdefault(plan.client, plan.issue_date)
        invoice.created_at = invoice.updated_at = _at(plan.issue_date, rng)
    for payment in payments:
        payment.created_at = _at(payment.date, rng)
    for note in notes:
        note.created_at = _at(note.date, rng)
    for index, client in enumerate(clients):
        client.created_at = client.updated_at = _at(first_issue[index] - dt.timedelta(days=rng.randint(0, 10)), rng)

    events = [_event(user, "created", client, client.created_at, client=client) for client in clients]
    for invoice in invoices:
        changes = {"total_incl_tax": str(invoice.total_incl_tax), "due_date": str(invoice.due_date)}
        events.append(_event(user, "created", invoice, invoice.created_at, invoice=invoice, changes=changes))
        if invoice.cancelled_at is not None:
            changes = {"reason": invoice.cancel_reason}
            events.append(_event(user, "cancelled", invoice, invoice.cancelled_at, invoice=invoice, changes=changes))
    for payment in payments:
        changes = {"amount": str(payment.amount), "date": str(payment.date), "method": payment.method}
        events.append(
            _event(user, "payment_recorded", payment, payment.created_at, invoice=payment.invoice, changes=changes)
        )
    for note in notes:
        changes = {"amount": str(note.amount), "date": str(note.date), "number": note.number}
        events.append(
            _event(user, "credit_note_recorded", note, note.created_at, invoice=note.invoice, changes=changes)
        )
    times = [event.created_at for event in events]
    events = AuditEvent.objects.bulk_create(events)
    for event, when in zip(events, times, strict=True):
        event.created_at = when

    Client.objects.bulk_update(clients, ["created_at", "updated_at"])
    Invoice.objects.bulk_update(invoices, ["created_at", "updated_at"])
    Payment.objects.bulk_update(payments, ["created_at"])
    CreditNote.objects.bulk_update(notes, ["created_at"])
    AuditEvent.objects.bulk_update(events, ["created_at"])
    return DemoSummary(business, user, invoices=len(invoices), payments=len(payments), credit_notes=len(notes))


def _event(
    user: User,
    action: str,
    obj: Client | Invoice | Payment | CreditNote,
    when: dt.datetime,
    *,
    invoice: Invoice | None = None,
    client: Client | None = None,
    changes: dict[str, str] | None = None,
) -> AuditEvent:
    """The audit event `ledger.services.record` would have written at the time."""
    return AuditEvent(
        business=user.business,
        actor=user,
        action=action,
        object_type=type(obj).__name__.lower(),
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        invoice=invoice,
        client=client or (invoice.client if invoice else None),
        changes=changes or {},
        created_at=when,
    )
