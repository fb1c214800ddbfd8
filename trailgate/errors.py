"""The one error family: anything that means "the check could not be made".

Every FatalError is caught in exactly one place, ``trailgate.main.main``,
which prints its message and exits 2. Messages say what to do next.
"""
from __future__ import annotations

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_ERROR = 2


class FatalError(Exception):
    """The check could not be made; exit 2."""


class UsageError(FatalError):
    """The command line or its input is unusable."""


class GitError(FatalError):
    """git failed, or the repository cannot answer what we need."""


class PolicyError(FatalError):
    """The policy is missing or invalid.

    ``problems`` holds every ``FILE:LINE:COL: message`` line found, so all
    of them can be shown at once.
    """

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems
