"""The REST API at /api/v1/: one NinjaAPI, routers per domain, bearer-token auth."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Relance API",
    version="1.0.0",
    description="Clients, factures, règlements, relances et pénalités de retard.",
    urls_namespace="api",
)
