"""One pass of the automatic-reminder scheduler (`relance scheduler --once`), next to its bare work.

The books: many businesses with automation turned on (`update_automation`, default plan), whose
open invoices all have their J+7 e-mail due (`generator.generate_due`), one reminder per client.
The pass runs at 10:00, Paris time, on a business day (the next one from today), with the clock
of the whole process moved there (time-machine, ticking), since dunning reads the time itself.

Every e-mail really leaves, with its PDF letter, to a real SMTP server (aiosmtpd) on 127.0.0.1:
the send tasks run on the immediate tasks backend, in this process, each right after its
reminder's commit, so the pass's time includes them. The baselines, measured in the same run,
half before and half after the pass: `typst.compile` of the same letter template for letters
about as many invoices (distinct letters, a fresh compiler each, as in `bench.letters`), and
smtplib sending one of the pass's own messages, byte for byte, to the same server, one
connection per message as Django's SMTP backend does.
"""

import datetime as dt
import logging
import random
import smtplib
import socket
import time
from dataclasses import dataclass
from typing import Any

import time_machine
import typst
from aiosmtpd.controller import Controller
from django.test import override_settings
from django.utils import timezone

from automation import window
from automation.scheduler import run_pass
from automation.services import update_automation
from bench.common import Context, Result
from bench.data import generator
from dunning.letter import LETTER_TEMPLATE, bare_compile_arguments, letter_payload

WARMUP = 3
SENDER = "relance@bench.relance.test"
RECIPIENT = "compta@client.example"


@dataclass
class _Sink:
    """Accepts every message; counts them and keeps the last one, to send it again bare."""

    accepted: int = 0
    size: int = 0
    last: bytes = b""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.accepted += 1
        self.size += len(envelope.original_content)
        self.last = envelope.original_content
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pass_moment(today: dt.date) -> dt.datetime:
    """10:00 in Paris on `today` if it is a business day, else on the next one: inside the
    default sending window (09:00–18:00)."""
    return dt.datetime.combine(window.next_business_day(today), dt.time(10), tzinfo=window.PARIS)


def _bare_letters(rng: random.Random, count: int, day: dt.date) -> float:
    """Seconds for `count` bare Typst renders of distinct letters."""
    arguments = [
        bare_compile_arguments(
            LETTER_TEMPLATE,
            letter_payload(generator.sample_letter(rng, invoices=generator.INVOICES_PER_DUE_CLIENT, today=day)),
        )
        for _ in range(count)
    ]
    started = time.perf_counter()
    for argument in arguments:
        pdf = typst.compile(**argument)
        if not isinstance(pdf, bytes) or not pdf.startswith(b"%PDF-"):
            raise AssertionError("The bare render did not give a PDF.")
    return time.perf_counter() - started


def _bare_emails(port: int, message: bytes, count: int) -> float:
    """Seconds for smtplib to hand `message` over `count` times, one connection each."""
    started = time.perf_counter()
    for _ in range(count):
        with smtplib.SMTP("127.0.0.1", port, timeout=20) as server:
            server.sendmail(SENDER, [RECIPIENT], message)
    return time.perf_counter() - started


def measure_pass(*, businesses: int, invoices: int, seed: int, bare_letters: int, bare_emails: int) -> list[Result]:
    """Write the books, run one pass, and the two bare rates around it."""
    moment = pass_moment(timezone.localdate())
    day = moment.date()
    started = time.perf_counter()
    made = generator.generate_due(businesses=businesses, invoices=invoices, seed=seed, day=day)
    for business in made:
        update_automation(business=business, actor=None, enabled=True)
    data_seconds = time.perf_counter() - started
    # aiosmtpd logs every command of every session at INFO.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = _Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    rng = random.Random(seed)
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
            # The pass fetches the ECB rates when the half-year's is not known yet: here a closed
            # port on the loopback refuses it at once, as an offline server would, never the ECB.
            ECB_API_URL=f"http://127.0.0.1:{_free_port()}/series",
        ):
            _bare_letters(rng, WARMUP, day)
            first_half = bare_letters // 2
            typst_seconds = _bare_letters(rng, first_half, day)
            with time_machine.travel(moment, tick=True):
                began = time.perf_counter()
                report = run_pass(now=timezone.now())
                pass_seconds = time.perf_counter() - began
            accepted, size, message = sink.accepted, sink.size, sink.last
            typst_seconds += _bare_letters(rng, bare_letters - first_half, day)
            smtp_seconds = 0.0
            if message:
                smtp_seconds = _bare_emails(port, message, bare_emails)
    finally:
        controller.stop()
    if report.errors:
        raise AssertionError(f"The pass failed for some businesses: {', '.join(report.errors[:5])}")
    typst_rate = bare_letters / typst_seconds if typst_seconds else None
    smtp_rate = bare_emails / smtp_seconds if smtp_seconds else None
    average = size / accepted if accepted else 0
    about = (
        f"{businesses:,} businesses, {invoices:,} invoices at their J+7 step, "
        f"{generator.INVOICES_PER_DUE_CLIENT} per client; pass at {moment:%Y-%m-%d %H:%M} Paris in "
        f"{pass_seconds:.1f} s (books and automation written in {data_seconds:.0f} s): {report.summary} "
        f"Send tasks on the immediate backend, in the pass's process."
    )
    return [
        Result(
            "scheduler.reminders_per_second.vs_typst",
            report.created / pass_seconds,
            "per s",
            typst_rate,
            note=(
                f"{about} Baseline: {bare_letters} bare typst.compile of distinct letters about "
                f"{generator.INVOICES_PER_DUE_CLIENT} invoices ({typst_seconds:.1f} s)."
            ),
        ),
        Result(
            "scheduler.emails_per_second.vs_smtplib",
            accepted / pass_seconds,
            "per s",
            smtp_rate,
            note=(
                f"{accepted:,} e-mails accepted by aiosmtpd on 127.0.0.1, {average / 1024:.0f} KiB on average; "
                f"baseline: smtplib sending the pass's last message {bare_emails} times, one connection "
                f"each ({smtp_seconds:.1f} s)."
            ),
        ),
    ]


def measure_scheduler(context: Context) -> list[Result]:
    scale = context.scale
    return measure_pass(
        businesses=scale.scheduler_businesses,
        invoices=scale.scheduler_invoices,
        seed=context.seed + 3,
        bare_letters=scale.letters,
        bare_emails=scale.scheduler_bare_emails,
    )
