"""Fuzz the whole API from its own OpenAPI document (schemathesis, bounded examples).

Every operation is called with generated valid and invalid data by an authenticated
administrator; no call may produce a server error or a response that breaks the document.
The test grows by itself with every endpoint added to the API.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from casemgr.policy import Role
from tests.factories import EnterpriseFactory, SourceFactory

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


@pytest.fixture
def admin_headers(auth, session):
    # Some data to find, so reads exercise serialisation, not only 404s.
    SourceFactory(enterprise=EnterpriseFactory(county_code="520102"))
    session.commit()
    return auth.login(Role.ADMIN).headers


@pytest.mark.slow
def test_no_operation_fails_or_breaks_its_schema(api_schema, admin_headers):
    """Each operation gets its own bounded Hypothesis run; all failures are reported together.

    (schemathesis' pytest plugin does not load schemas from fixtures under this pytest, so the
    operations are iterated here.)
    """
    failures: dict[str, str] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def run(case):
            case.call_and_validate(headers=admin_headers, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure
            failures[operation.label] = f"{type(exc).__name__}: {exc}"[:2000]
    assert not failures, "\n\n".join(f"{k}\n{v}" for k, v in failures.items())
