"""Domain errors. Each class carries its HTTP status and formats its own message.

``message`` is an English msgid template (translated by ``casemgr.errors`` at the edge) filled
from ``params``; ``errors`` maps field names to lists of messages for field-level problems.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from casemgr.i18n import N_


@dataclass(frozen=True)
class Message:
    """A message with its own parameters, for a list of field errors whose entries each name
    different things (the breaches of a plan edit): translated and filled one by one."""

    template: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        try:
            return self.template.format(**self.params)
        except (KeyError, IndexError):
            return self.template


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "domain_error"
    template: ClassVar[str] = N_("The request cannot be carried out.")

    def __init__(
        self,
        message: str | None = None,
        *,
        errors: dict[str, Any] | None = None,
        **params: Any,
    ) -> None:
        self.message_template = message or self.template
        self.params = params
        self.errors = errors or {}
        super().__init__(self.message)

    @property
    def message(self) -> str:
        try:
            return self.message_template.format(**self.params)
        except (KeyError, IndexError):
            return self.message_template


class InvalidInput(DomainError):
    """A value is well-formed JSON but breaks a rule (422)."""

    status = 422
    code = "invalid_input"
    template = N_("Some fields are invalid.")

    @classmethod
    def field(cls, field: str, message: str, **params: Any) -> InvalidInput:
        """One field's problem; ``message`` stays a template, filled when it is rendered."""
        return cls(errors={field: [message]}, **params)


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    template = N_("Authentication is required: log in or send a valid bearer token.")


class LoginFailed(DomainError):
    status = 401
    code = "login_failed"
    template = N_("Wrong user name or password.")


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"
    template = N_("Too many failed logins; try again in {minutes} minutes.")


class PermissionDenied(DomainError):
    status = 403
    code = "permission_denied"
    template = N_("Your role does not allow this action.")


class OutsideJurisdiction(DomainError):
    status = 403
    code = "outside_jurisdiction"
    template = N_("This record lies outside your jurisdiction.")


class NotFound(DomainError):
    status = 404
    code = "not_found"
    template = N_("{kind} {key} was not found.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    template = N_("The record conflicts with an existing one.")


class StaleVersion(DomainError):
    """The client edited an older version of the record (optimistic concurrency)."""

    status = 412
    code = "stale_version"
    template = N_("The record was changed by someone else; reload it and apply your change again.")


class PreconditionRequired(DomainError):
    status = 428
    code = "precondition_required"
    template = N_("Send the If-Match header with the ETag you read, so no change is lost.")


class IllegalTransition(DomainError):
    """The event has no transition from the case's current status in its lifecycle table (409).

    ``allowed`` lists the events the table offers from that status, in the lifecycle's order.
    """

    status = 409
    code = "illegal_transition"
    template = N_(
        "Event '{event}' is not allowed while the case is '{status}'; "
        "events possible from this status: {allowed}."
    )

    def __init__(self, *, event: str, status: str, allowed: Sequence[str]) -> None:
        self.allowed: list[str] = list(allowed)
        super().__init__(
            errors={"allowed": list(self.allowed)},
            event=event,
            status=status,
            allowed=", ".join(self.allowed) or "—",
        )


class GuardFailed(DomainError):
    """A legal rule guarding the transition does not hold (409).

    The message names the rule's title and legal basis; ``errors`` carries the rule code, the
    basis, the reason (an English msgid) and the ways forward (msgids), so a client can show them.
    ``rule_title`` is an English msgid; ``basis`` the citations (:class:`casemgr.legalbasis.
    Citation`, whose ``str`` is the canonical English), rendered in the reader's language by
    ``casemgr.errors``, which also lists them one by one for API clients.
    """

    status = 409
    code = "guard_failed"
    template = N_("{rule_title} ({basis}): {reason}")

    def __init__(
        self,
        *,
        rule: str,
        rule_title: str,
        basis: Sequence[object],
        reason: str,
        ways_forward: Sequence[str] = (),
    ) -> None:
        self.rule = rule
        self.rule_title = rule_title
        self.basis: tuple[object, ...] = tuple(basis)
        self.ways_forward: list[str] = list(ways_forward)
        super().__init__(
            errors={
                "rule": [rule],
                "basis": [self.basis],
                "reason": [reason],
                "ways_forward": list(self.ways_forward),
            },
            rule=rule,
            rule_title=rule_title,
            basis=self.basis,
            reason=reason,
        )

    @property
    def message(self) -> str:
        """The English message, the basis as its canonical English line."""
        english = "; ".join(str(citation) for citation in self.basis)
        try:
            return self.message_template.format(**{**self.params, "basis": english})
        except (KeyError, IndexError):
            return self.message_template
