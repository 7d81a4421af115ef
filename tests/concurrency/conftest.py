from collections.abc import Callable

import pytest

from accounts.models import User
from tests.api.conftest import ApiClient, token_for


@pytest.fixture
def api_for(owner: User) -> Callable[[], ApiClient]:
    """A new API client (its own token) for each racer."""
    return lambda: ApiClient(token_for(owner))
