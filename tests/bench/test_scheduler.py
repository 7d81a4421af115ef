"""The scheduler bench on a tiny size, so that it keeps running as the scheduler changes."""

import pytest

from automation.models import AutoReminder
from bench.data import generator
from bench.scheduler import measure_pass
from dunning.models import Reminder


@pytest.mark.django_db(transaction=True)
def test_one_pass_sends_every_due_reminder_with_its_letter_and_measures_both_baselines() -> None:
    results = measure_pass(businesses=3, invoices=20, seed=5, bare_letters=2, bare_emails=3)

    by_name = {result.name: result for result in results}
    reminders = by_name["scheduler.reminders_per_second.vs_typst"]
    emails = by_name["scheduler.emails_per_second.vs_smtplib"]
    # 20 invoices over 3 businesses (7, 7, 6), 4 per client: 2 + 2 + 2 reminders, each e-mailed.
    assert AutoReminder.objects.filter(status=AutoReminder.Status.SENT).count() == 6
    assert Reminder.objects.filter(status=Reminder.Status.SENT).count() == 6
    assert all(reminder.pdf for reminder in Reminder.objects.all())
    assert generator.bench_businesses(tenants=False).count() == 3
    for result in (reminders, emails):
        assert result.value is not None and result.value > 0
        assert result.baseline is not None and result.baseline > 0
        assert result.ok is None
    # Every reminder's e-mail was accepted by the server, within the same pass time.
    assert emails.note.startswith("6 e-mails accepted")
    assert emails.value == pytest.approx(reminders.value)
