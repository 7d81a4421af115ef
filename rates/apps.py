from django.apps import AppConfig


class RatesConfig(AppConfig):
    name = "rates"
    # The label these tables and migrations were created under, kept so that existing databases
    # migrate unchanged: Django keys table names and migration history on the label.
    label = "law"
    verbose_name = "Taux d’intérêt (BCE et taux légal)"
