"""What differs between e-mail and post, in one place (`dunning.channels`)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dunning.channels import CHANNELS, EmailChannel, LetterChannel, channel_for, default_channel
from dunning.models import Channel, Level, Reminder, ReminderTemplate
from tests.factories import make_client


def test_every_channel_a_reminder_can_have_has_its_behaviour():
    assert set(CHANNELS) == set(Channel.values)
    assert isinstance(channel_for(Reminder(channel="email")), EmailChannel)
    assert isinstance(channel_for(Reminder(channel="letter")), LetterChannel)


def test_only_the_email_is_sent_and_carries_the_letter_with_its_own_texts():
    assert CHANNELS[Channel.EMAIL].sends_email and CHANNELS[Channel.EMAIL].attaches_letter
    assert not CHANNELS[Channel.LETTER].sends_email and not CHANNELS[Channel.LETTER].attaches_letter


@pytest.mark.parametrize("level", Level.values)
def test_only_a_formal_notice_by_post_is_a_registered_letter(level):
    assert CHANNELS[Channel.LETTER].is_registered_letter(level) is (level == Level.FORMAL_NOTICE)
    assert CHANNELS[Channel.EMAIL].is_registered_letter(level) is False


def test_a_new_draft_takes_its_channels_texts_from_the_template():
    template = ReminderTemplate(letter_subject="LS", letter_body="LB", email_subject="ES", email_body="EB")

    assert CHANNELS[Channel.EMAIL].template_texts(template) == {
        "subject": "ES",
        "body": "EB",
        "letter_subject": "LS",
        "letter_body": "LB",
    }
    assert CHANNELS[Channel.LETTER].template_texts(template) == {
        "subject": "LS",
        "body": "LB",
        "letter_subject": "",
        "letter_body": "",
    }


def test_the_letter_texts_survive_a_switch_to_email_and_back():
    template = ReminderTemplate(email_subject="ES", email_body="EB")
    reminder = Reminder(channel="letter", subject="Mon objet", body="Mon courrier")

    CHANNELS[Channel.EMAIL].take_over(reminder, lambda: template)
    assert (reminder.subject, reminder.body) == ("ES", "EB")
    assert CHANNELS[Channel.EMAIL].letter_texts(reminder) == ("Mon objet", "Mon courrier")
    CHANNELS[Channel.LETTER].take_over(reminder, lambda: pytest.fail("a letter needs no template"))
    assert (reminder.subject, reminder.body) == ("Mon objet", "Mon courrier")
    assert (reminder.letter_subject, reminder.letter_body) == ("", "")
    assert CHANNELS[Channel.LETTER].letter_texts(reminder) == ("Mon objet", "Mon courrier")


@pytest.mark.django_db
def test_a_client_without_an_address_is_reminded_by_post(business):
    assert default_channel(make_client(business, email="compta@client.test")) == Channel.EMAIL
    assert default_channel(make_client(business, name="Sans adresse", email="")) == Channel.LETTER


def test_the_letter_renderer_asks_its_channel_without_django_set_up():
    """The archive renders letters in spawned processes that never load Django's apps."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    code = "from dunning.letter import LetterData; from dunning.facts_types import sample_facts; " + (
        "print(LetterData(facts=sample_facts(level=3), subject='', blocks=[], channel='letter').registered)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
