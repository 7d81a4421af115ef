from django.apps import AppConfig


class RelanceConfig(AppConfig):
    """Project-level app: CLI commands (demo, backup, worker) and shared template tags."""

    name = "relance"
    verbose_name = "Relance"
