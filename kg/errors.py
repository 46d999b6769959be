"""The project's errors. Every expected failure is a :class:`KGError` whose message
names the file, line or query at fault, so the CLI prints one line and never a traceback."""

from __future__ import annotations

__all__ = ["KGError", "InputError", "QueryError", "ServeError", "PipelineError", "EXIT_OK",
           "EXIT_REJECTED", "EXIT_USAGE", "EXIT_FAILURE"]

#: Exit statuses of every ``kg`` command (documented in the README).
EXIT_OK = 0
EXIT_FAILURE = 1      # an unexpected internal error (a bug: please report it)
EXIT_USAGE = 2        # usage or input error: bad arguments, missing corpus, malformed query, port taken
EXIT_REJECTED = 3     # the build finished but some articles were rejected (see build-report.json)


class KGError(Exception):
    """Base class of every error a user may see. ``str(err)`` is the one-line message."""

    exit_code = EXIT_USAGE


class InputError(KGError):
    """An input file or directory that cannot be used (missing, empty, binary, undecodable...)."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class QueryError(KGError):
    """A SPARQL query that cannot be parsed or run; the message gives the position."""


class ServeError(KGError):
    """The SPARQL endpoint could not start (port taken, no store...)."""


class PipelineError(KGError):
    """The NLP pipeline could not be provisioned or loaded."""
