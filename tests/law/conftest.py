import pytest

from law.ratefiles import shipped_rate_tables
from law.rates import RateTables


@pytest.fixture(scope="session")
def tables() -> RateTables:
    """The rate tables as shipped (law/data), without a database."""
    return shipped_rate_tables()
