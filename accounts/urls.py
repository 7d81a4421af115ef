from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("inscription/", views.signup, name="signup"),
    path("inscription/envoyee/", views.signup_done, name="signup_done"),
    path("inscription/activer/<str:token>/", views.signup_confirm, name="signup_confirm"),
    path("connexion/", views.login_view, name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("mot-de-passe/", views.password_change, name="password_change"),
    path("mot-de-passe/oublie/", views.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe/oublie/envoye/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("mot-de-passe/nouveau/termine/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("parametres/", views.settings_business, name="settings"),
    path("parametres/logo/", views.logo, name="logo"),
    path("parametres/conditions/", views.settings_terms, name="settings_terms"),
    path("parametres/e-mails/", views.settings_email, name="settings_email"),
    path("parametres/jetons/", views.tokens, name="tokens"),
    path("parametres/jetons/<int:pk>/revoquer/", views.token_revoke, name="token_revoke"),
    path("parametres/compte/", views.account, name="account"),
]
