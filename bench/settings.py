"""Bench settings: the production settings plus a minimal view to compare against."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
