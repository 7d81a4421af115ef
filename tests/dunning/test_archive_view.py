import datetime as dt
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from dunning.archive import request_archive_export
from dunning.models import ArchiveExport, Reminder
from tests.factories import make_invoice, make_reminder

LIST_URL = reverse("dunning:archive_list")
CREATE_URL = reverse("dunning:archive_create")
HTMX = {"HX-Request": "true"}


def detail_url(export: ArchiveExport) -> str:
    return reverse("dunning:archive_detail", args=[export.pk])


def progress_url(export: ArchiveExport) -> str:
    return reverse("dunning:archive_progress", args=[export.pk])


def download_url(export: ArchiveExport, kind: str) -> str:
    return reverse("dunning:archive_download", args=[export.pk, kind])


@pytest.fixture
def queued(business, owner, today) -> ArchiveExport:
    make_reminder(business, owner)
    export, _ = request_archive_export(business=business, actor=owner, date_from=today, date_to=today)
    return export


@pytest.fixture
def done(business, owner, django_capture_on_commit_callbacks, today) -> ArchiveExport:
    make_reminder(business, owner, name="Garage Martin")
    with django_capture_on_commit_callbacks(execute=True):
        export, _ = request_archive_export(business=business, actor=owner, date_from=today, date_to=today)
    export.refresh_from_db()
    assert export.status == ArchiveExport.Status.DONE
    return export


# The archive page


def test_archive_page_offers_this_year_and_lists_past_exports(owner_client, done, queued, today):
    response = owner_client.get(LIST_URL)
    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["nav"] == "history"
    assert response.context["form"].initial == {"date_from": dt.date(today.year, 1, 1), "date_to": today}
    assert list(response.context["page"].object_list) == [queued, done]
    assert download_url(done, "zip") in content
    assert download_url(queued, "zip") not in content
    assert "En attente" in content and "Terminée" in content
    assert reverse("dunning:history") in content


def test_archive_page_without_exports_explains_what_happens(owner_client):
    content = owner_client.get(LIST_URL).content.decode()
    assert "Aucune archive pour l’instant." in content


def test_archive_page_lists_only_the_users_business(owner_client, other_business, outsider, today):
    foreign = ArchiveExport.objects.create(business=other_business, date_from=today, date_to=today)
    response = owner_client.get(LIST_URL)
    assert foreign not in response.context["page"].object_list


def test_archive_page_queries_do_not_grow_with_exports(
    business, owner, owner_client, django_assert_max_num_queries, today
):
    ArchiveExport.objects.bulk_create(
        [ArchiveExport(business=business, requested_by=owner, date_from=today, date_to=today) for _ in range(30)]
    )
    with django_assert_max_num_queries(5):
        response = owner_client.get(LIST_URL)
    assert len(response.context["page"].object_list) == 20


def test_archive_page_htmx_pagination_returns_only_the_list(business, owner_client, today):
    ArchiveExport.objects.bulk_create(
        [ArchiveExport(business=business, date_from=today, date_to=today) for _ in range(25)]
    )
    response = owner_client.get(LIST_URL, {"page": 2}, headers=HTMX)
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="archive-exports"')
    assert "<html" not in content
    assert len(response.context["page"].object_list) == 5


def test_archive_page_refuses_post_and_needs_login(owner_client, anonymous_client):
    assert owner_client.post(LIST_URL).status_code == 405
    response = anonymous_client.get(LIST_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# Requesting an archive


def test_request_builds_the_archive_and_shows_it(
    owner_client, business, owner, django_capture_on_commit_callbacks, today
):
    make_reminder(business, owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(CREATE_URL, {"date_from": today.isoformat(), "date_to": today.isoformat()})
    export = ArchiveExport.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(export)
    assert export.status == ArchiveExport.Status.DONE
    assert export.include_inactive is False
    # The task ran after the view answered (the callbacks run when the block exits).
    page = owner_client.get(response.url).content.decode()
    assert "Archive demandée : elle se prépare en arrière-plan." in page
    assert download_url(export, "zip") in page


def test_request_while_the_worker_is_busy_says_it_is_being_prepared(owner_client, business, owner, today):
    make_reminder(business, owner)
    data = {"date_from": today.isoformat(), "date_to": today.isoformat(), "include_inactive": "on"}
    first = owner_client.post(CREATE_URL, data, follow=True)
    assert "Archive demandée : elle se prépare en arrière-plan." in first.content.decode()
    second = owner_client.post(CREATE_URL, data, follow=True)
    assert "Cette archive est déjà en préparation" in second.content.decode()
    export = ArchiveExport.objects.get()
    assert export.include_inactive is True
    assert second.redirect_chain[-1][0] == detail_url(export)


def test_request_without_dates_is_422_at_the_fields(owner_client):
    response = owner_client.post(CREATE_URL, {"date_from": "", "date_to": "pas une date"})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["date_from"] == ["Indiquez la date de début."]
    assert errors["date_to"] == ["Saisissez une date valide."]
    assert not ArchiveExport.objects.exists()


def test_request_with_reversed_dates_is_422_at_the_end_date(owner_client, business, owner, today):
    make_reminder(business, owner)
    response = owner_client.post(
        CREATE_URL, {"date_from": today.isoformat(), "date_to": (today - dt.timedelta(days=1)).isoformat()}
    )
    assert response.status_code == 422
    assert response.context["form"].errors["date_to"] == ["La date de fin précède la date de début."]
    assert "La date de fin précède la date de début." in response.content.decode()


def test_request_for_an_empty_range_is_422_with_a_clear_message_and_no_task(
    owner_client, business, owner, django_capture_on_commit_callbacks
):
    make_reminder(business, owner)
    with django_capture_on_commit_callbacks() as callbacks:
        response = owner_client.post(CREATE_URL, {"date_from": "2020-01-01", "date_to": "2020-01-31"})
    assert response.status_code == 422
    assert "Aucune relance enregistrée ou envoyée du 01/01/2020 au 31/01/2020" in response.content.decode()
    assert callbacks == []
    assert not ArchiveExport.objects.exists()


def test_request_refuses_get(owner_client):
    assert owner_client.get(CREATE_URL).status_code == 405


def test_request_ignores_another_business_reminders(owner_client, other_business, outsider, today):
    from dunning import services

    foreign = services.create_reminder(
        business=other_business, actor=outsider, invoice_ids=[make_invoice(other_business).pk]
    )
    services.save_reminder(reminder=foreign, actor=outsider)
    response = owner_client.post(CREATE_URL, {"date_from": today.isoformat(), "date_to": today.isoformat()})
    assert response.status_code == 422
    assert not ArchiveExport.objects.exists()


# Following an archive


def test_detail_of_a_done_archive_links_both_downloads(owner_client, done):
    response = owner_client.get(detail_url(done))
    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["nav"] == "history"
    assert download_url(done, "pdf") in content
    assert download_url(done, "zip") in content
    assert 'hx-trigger="every 2s"' not in content
    assert "manifest.csv" in content


def test_detail_of_another_business_archive_is_404(outsider_client, done):
    assert outsider_client.get(detail_url(done)).status_code == 404
    assert outsider_client.get(progress_url(done), headers=HTMX).status_code == 404


def test_detail_and_progress_refuse_post(owner_client, done):
    assert owner_client.post(detail_url(done)).status_code == 405
    assert owner_client.post(progress_url(done)).status_code == 405


def test_progress_of_a_running_archive_keeps_polling(owner_client, queued):
    ArchiveExport.objects.filter(pk=queued.pk).update(
        status=ArchiveExport.Status.RUNNING, progress_done=50, progress_total=200
    )
    response = owner_client.get(progress_url(queued), headers=HTMX)
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert 'hx-trigger="every 2s"' in content
    assert f'hx-get="{progress_url(queued)}"' in content
    assert '<progress value="50" max="200"' in content
    assert "En cours · 25 %" in content


def test_progress_of_a_queued_archive_keeps_polling(owner_client, queued):
    content = owner_client.get(progress_url(queued), headers=HTMX).content.decode()
    assert 'hx-trigger="every 2s"' in content
    assert "En attente" in content


def test_progress_stops_polling_once_done(owner_client, done):
    content = owner_client.get(progress_url(done), headers=HTMX).content.decode()
    assert "hx-trigger" not in content
    assert download_url(done, "pdf") in content


def test_progress_of_a_failed_archive_shows_the_error_and_offers_to_start_again(owner_client, queued, today):
    ArchiveExport.objects.filter(pk=queued.pk).update(
        status=ArchiveExport.Status.FAILED, error="Le PDF de la relance R-2026-0001 est introuvable."
    )
    content = owner_client.get(progress_url(queued), headers=HTMX).content.decode()
    assert "hx-trigger" not in content
    assert "Le PDF de la relance R-2026-0001 est introuvable." in content
    assert f'action="{CREATE_URL}"' in content
    assert f'name="date_from" value="{today.isoformat()}"' in content


def test_progress_without_htmx_is_the_full_page(owner_client, queued):
    response = owner_client.get(progress_url(queued))
    assert response.status_code == 200
    assert "<html" in response.content.decode()


# Downloads


def test_download_gives_the_merged_pdf_and_the_zip_as_attachments(owner_client, done):
    pdf = owner_client.get(download_url(done, "pdf"))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="{done.download_stem}.pdf"'
    assert b"".join(pdf.streaming_content) == Path(done.merged_pdf.path).read_bytes()
    zipped = owner_client.get(download_url(done, "zip"))
    assert zipped["Content-Type"] == "application/zip"
    assert b"".join(zipped.streaming_content) == Path(done.zip_file.path).read_bytes()
    assert zipfile.is_zipfile(done.zip_file.path)


def test_download_of_another_business_archive_is_404(outsider_client, done):
    assert outsider_client.get(download_url(done, "pdf")).status_code == 404
    assert outsider_client.get(download_url(done, "zip")).status_code == 404


def test_download_before_the_archive_is_done_or_of_an_unknown_kind_is_404(owner_client, business, done, today):
    running = ArchiveExport.objects.create(
        business=business,
        date_from=today,
        date_to=today,
        status=ArchiveExport.Status.RUNNING,
        zip_file=done.zip_file.name,
        merged_pdf=done.merged_pdf.name,
    )
    assert owner_client.get(download_url(running, "zip")).status_code == 404
    assert owner_client.get(download_url(done, "exe")).status_code == 404


def test_download_of_a_file_gone_from_disk_is_404(owner_client, done):
    Path(done.zip_file.path).unlink()
    assert owner_client.get(download_url(done, "zip")).status_code == 404


def test_download_refuses_post(owner_client, done):
    assert owner_client.post(download_url(done, "pdf")).status_code == 405


def test_deactivated_letters_can_be_archived_from_the_page(
    owner, owner_client, business, django_capture_on_commit_callbacks, today
):
    from dunning import services

    services.deactivate_reminder(reminder=make_reminder(business, owner), actor=owner)
    data = {"date_from": today.isoformat(), "date_to": today.isoformat()}
    refused = owner_client.post(CREATE_URL, data)
    assert refused.status_code == 422
    assert "cochez « Inclure les relances désactivées »" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        accepted = owner_client.post(CREATE_URL, {**data, "include_inactive": "on"})
    assert accepted.status_code == 302
    assert ArchiveExport.objects.get().progress_total == Reminder.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_request_served_by_an_immediate_worker_lands_on_the_ready_archive(owner_client, business, owner, today):
    # Outside a test transaction the task runs at commit, before the view answers.
    make_reminder(business, owner)
    response = owner_client.post(
        CREATE_URL, {"date_from": today.isoformat(), "date_to": today.isoformat()}, follow=True
    )
    assert "Archive prête : téléchargez le PDF unique ou le ZIP ci-dessous." in response.content.decode()
    assert ArchiveExport.objects.get().status == ArchiveExport.Status.DONE
