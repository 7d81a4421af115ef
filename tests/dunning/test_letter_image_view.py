import hashlib
import io

import pytest
from django.urls import reverse
from PIL import Image

from dunning import facts, services, views
from dunning.letter import render_letter_pages_png, render_letter_pdf
from dunning.models import Reminder
from ledger.models import Client
from tests.factories import make_reminder

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
A4_RATIO = 297 / 210


def page_url(reminder, page=1):
    return reverse("dunning:reminder_page_image", args=[reminder.pk, page])


def image_of(response):
    return Image.open(io.BytesIO(response.content))


class Recorder:
    """Stands in for the page renderer and keeps the letter data it was given."""

    def __init__(self, render=None):
        self.seen = []
        self.render = render

    def __call__(self, data):
        self.seen.append(data)
        return self.render(data) if self.render else [PNG_MAGIC]


def make_long(reminder):
    """A letter text long enough for a second page."""
    paragraph = "Nous vous remercions de bien vouloir régler cette facture dans les meilleurs délais. " * 12
    Reminder.objects.filter(pk=reminder.pk).update(letter_body="\n\n".join([paragraph] * 8))
    reminder.refresh_from_db()
    return reminder


def test_owner_gets_the_letter_page_as_an_a4_png(owner_client, draft):
    response = owner_client.get(page_url(draft))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(PNG_MAGIC)
    width, height = image_of(response).size
    assert width > 1000
    assert height / width == pytest.approx(A4_RATIO, rel=0.01)
    assert "private" in response["Cache-Control"]


def test_outsider_gets_404_for_another_business_letter(outsider_client, draft):
    assert outsider_client.get(page_url(draft)).status_code == 404


def test_anonymous_visitor_is_sent_to_login(anonymous_client, draft):
    response = anonymous_client.get(page_url(draft))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("page", [0, 2, 99])
def test_page_out_of_range_is_404(owner_client, draft, page):
    assert owner_client.get(page_url(draft, page)).status_code == 404


def test_post_is_not_allowed(owner_client, draft):
    assert owner_client.post(page_url(draft)).status_code == 405


def test_each_page_of_a_long_letter_has_its_image(owner_client, draft):
    draft = make_long(draft)
    first = owner_client.get(page_url(draft, 1))
    second = owner_client.get(page_url(draft, 2))
    assert first.status_code == second.status_code == 200
    assert second.content.startswith(PNG_MAGIC) and second.content != first.content
    assert owner_client.get(page_url(draft, 3)).status_code == 404
    content = owner_client.get(reverse("dunning:reminder_detail", args=[draft.pk])).content.decode()
    assert content.count('class="letter-page"') == 2
    assert page_url(draft, 2) in content
    assert "Page 2 sur 2 du courrier en brouillon à Boulangerie Durand" in content


def test_summary_shows_the_page_images_instead_of_a_pdf_frame(owner_client, draft):
    content = owner_client.get(reverse("dunning:reminder_detail", args=[draft.pk])).content.decode()
    assert f'<img class="letter-page" src="{page_url(draft)}"' in content
    assert 'alt="Page 1 du courrier en brouillon à Boulangerie Durand"' in content
    assert page_url(draft, 2) not in content
    assert "<iframe" not in content.replace('<iframe class="email-frame"', "")
    assert "pdf-frame" not in content
    assert "Ouvrir le PDF dans un nouvel onglet" in content
    assert "Texte du courrier" in content


def test_frozen_summary_names_the_reference_in_the_alt_text(owner_client, business, owner):
    reminder = make_reminder(business, owner, name="Cave L’Échanson")
    content = owner_client.get(reverse("dunning:reminder_detail", args=[reminder.pk])).content.decode()
    assert f"Page 1 du courrier {reminder.reference} à Cave L’Échanson" in content


def test_draft_image_follows_todays_data(owner_client, draft, monkeypatch):
    renderer = Recorder()
    monkeypatch.setattr(views, "render_letter_pages_png", renderer)
    Client.objects.filter(pk=draft.client_id).update(name="Boulangerie Durand & Fils")
    assert owner_client.get(page_url(draft)).status_code == 200
    assert renderer.seen[0].facts.client.name == "Boulangerie Durand & Fils"
    assert "ETag" not in owner_client.get(page_url(draft))


def test_frozen_image_is_rendered_from_the_snapshot(owner_client, business, owner, monkeypatch):
    reminder = make_reminder(business, owner, name="Cave L’Échanson")
    Client.objects.filter(pk=reminder.client_id).update(name="Nouveau nom SAS")
    snapshot_letter = facts.rendered_from_snapshot(reminder).letter
    renderer = Recorder(render_letter_pages_png)
    monkeypatch.setattr(views, "render_letter_pages_png", renderer)

    response = owner_client.get(page_url(reminder))

    assert response.status_code == 200
    assert renderer.seen[0].facts.client.name == "Cave L’Échanson"
    assert renderer.seen[0] == snapshot_letter
    assert response.content == render_letter_pages_png(snapshot_letter)[0]


def test_frozen_snapshot_renders_the_stored_pdf_byte_for_byte(business, owner):
    reminder = make_reminder(business, owner, name="Cave L’Échanson")
    Client.objects.filter(pk=reminder.client_id).update(name="Nouveau nom SAS")
    reminder.refresh_from_db()
    pdf = render_letter_pdf(facts.rendered_from_snapshot(reminder).letter)
    assert hashlib.sha256(pdf).hexdigest() == reminder.pdf_sha256


def test_frozen_image_is_revalidated_with_its_pdf_hash(owner_client, business, owner):
    reminder = make_reminder(business, owner)
    response = owner_client.get(page_url(reminder))
    etag = response["ETag"]
    assert reminder.pdf_sha256 in etag
    assert response["Cache-Control"] == "private, no-store"

    again = owner_client.get(page_url(reminder), headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag


def test_stale_etag_gets_the_image_again(owner_client, business, owner):
    reminder = make_reminder(business, owner)
    response = owner_client.get(page_url(reminder), headers={"If-None-Match": '"an-older-letter"'})
    assert response.status_code == 200
    assert response.content.startswith(PNG_MAGIC)


def test_outsider_with_the_etag_still_gets_404(owner_client, outsider_client, business, owner):
    reminder = make_reminder(business, owner)
    etag = owner_client.get(page_url(reminder))["ETag"]
    assert outsider_client.get(page_url(reminder), headers={"If-None-Match": etag}).status_code == 404


def test_sent_then_deactivated_reminder_keeps_its_image(owner_client, owner, business):
    reminder = make_reminder(business, owner, status=Reminder.Status.SENT)
    assert owner_client.get(page_url(reminder)).status_code == 200
    services.deactivate_reminder(reminder=reminder, actor=owner)
    assert owner_client.get(page_url(reminder)).status_code == 200
