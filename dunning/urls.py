from django.urls import URLPattern, path

from dunning import views

app_name = "dunning"

urlpatterns: list[URLPattern] = [
    path("", views.history, name="history"),
    path("nouvelle/", views.reminder_create, name="reminder_create"),
    path("<int:pk>/", views.reminder_detail, name="reminder_detail"),
    path("<int:pk>/modifier/", views.reminder_edit, name="reminder_edit"),
    path("<int:pk>/supprimer/", views.reminder_delete, name="reminder_delete"),
    path("<int:pk>/niveau/", views.reminder_level, name="reminder_level"),
    path("<int:pk>/enregistrer/", views.reminder_save, name="reminder_save"),
    path("<int:pk>/envoyer/", views.reminder_send, name="reminder_send"),
    path("<int:pk>/renvoyer/", views.reminder_retry, name="reminder_retry"),
    path("<int:pk>/envoi-incertain/renvoyer/", views.reminder_resend, name="reminder_resend"),
    path("<int:pk>/envoi-incertain/marquer-envoyee/", views.reminder_mark_sent, name="reminder_mark_sent"),
    path("<int:pk>/desactiver/", views.reminder_deactivate, name="reminder_deactivate"),
    path("<int:pk>/reactiver/", views.reminder_reactivate, name="reminder_reactivate"),
    path("<int:pk>/recommande/", views.reminder_registered, name="reminder_registered"),
    path("<int:pk>/pdf/", views.reminder_pdf, name="reminder_pdf"),
    path("<int:pk>/page-<int:page>.png", views.reminder_page_image, name="reminder_page_image"),
    path("<int:pk>/e-mail/", views.reminder_email, name="reminder_email"),
    path("<int:pk>/imprimer/", views.reminder_print, name="reminder_print"),
    path("modeles/", views.templates, name="templates"),
    path("modeles/apercu/", views.template_preview, name="template_preview"),
    path("modeles/<int:level>/", views.template_edit, name="template_edit"),
]

# PDF archive export (dunning/archive_views.py), kept apart from the workflow's pages.
from dunning import archive_views  # noqa: E402

urlpatterns += [
    path("archives/", archive_views.archive_list, name="archive_list"),
    path("archives/nouvelle/", archive_views.archive_create, name="archive_create"),
    path("archives/<int:pk>/", archive_views.archive_detail, name="archive_detail"),
    path("archives/<int:pk>/progression/", archive_views.archive_progress, name="archive_progress"),
    path("archives/<int:pk>/telecharger/<slug:kind>/", archive_views.archive_download, name="archive_download"),
]
