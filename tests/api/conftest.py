"""Fixtures shared by the API tests: a county world with an enterprise, officers and a head."""

from tests.api.test_cases_api import world  # noqa: F401 - re-exported fixture
