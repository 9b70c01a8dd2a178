"""Exports tests use the project-wide fixtures (redis_url, redis_prefix) from tests/conftest.py."""
