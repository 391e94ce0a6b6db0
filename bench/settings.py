"""The product's settings with one extra route: the constant-response baseline of the load test."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
