"""`/healthz`: may this process serve? Answered before every other middleware.

A load balancer or a supervisor asks it every few seconds, often by IP address and over plain
HTTP straight to gunicorn. So it is answered ahead of the HTTPS redirect and of the host check
(ALLOWED_HOSTS): the answer depends on nothing in the request and tells nothing about the site,
so no Host header can abuse it. No session, no cookie, no template, one `SELECT 1`, and a Redis
PING when the tasks go through Redis. 200 when all answer, 503 naming the one that does not.
"""

import logging
from collections.abc import Callable
from functools import cache

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

PATH = "/healthz"
# A probe that waits longer than the balancer's own timeout says nothing: fail fast instead.
REDIS_TIMEOUT_SECONDS = 2.0

logger = logging.getLogger(__name__)


@cache
def _redis() -> redis.Redis:
    """One client per process, so that a probe reuses a pooled connection."""
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.warning("Health check: the database does not answer", exc_info=True)
        # A broken connection must not be reused by the next request of this process.
        connection.close_if_unusable_or_obsolete()
        return False
    return True


def _redis_ok() -> bool:
    try:
        return bool(_redis().ping())
    except Exception:
        logger.warning("Health check: Redis does not answer", exc_info=True)
        return False


def check() -> dict[str, str]:
    checks = {"database": "ok" if _database_ok() else "down"}
    if settings.TASKS_BACKEND == "rq":
        checks["redis"] = "ok" if _redis_ok() else "down"
    return checks


def healthz(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path_info != PATH:
            return get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
        checks = check()
        healthy = all(state == "ok" for state in checks.values())
        response = JsonResponse({"status": "ok" if healthy else "down", **checks}, status=200 if healthy else 503)
        response.headers["Cache-Control"] = "no-store"
        return response

    return middleware
