"""The product's settings, served with the bench's URLs (the product itself has no bench route).

`bench.run` sets the environment (DEBUG off, dedicated database and var dir) before Django loads this.
"""

from relance.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
