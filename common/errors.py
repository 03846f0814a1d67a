"""Errors a user can cause end in one sentence and an exit code; bugs keep their traceback."""

from __future__ import annotations


class UserError(Exception):
    """Bad config, data, path or usage: exit 2, nothing written."""

    exit_code = 2


class RunFailure(Exception):
    """The run could not go on (e.g. rejected API key, server gone): exit 1."""

    exit_code = 1


class AuthError(RunFailure):
    """A missing or rejected API key: stops the run at once."""


class MissingKeyError(UserError):
    """No API key in the environment: caught before any work starts."""


class BudgetReached(Exception):
    """The run stopped itself at `max_cost_usd`, every finished query written: exit 3."""

    exit_code = 3
