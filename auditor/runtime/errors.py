"""Errors that end a run with exit code 2 and one clear line, never a traceback."""

from __future__ import annotations


class AuditorError(Exception):
    """Base class: the message is the one line the user sees."""

    exit_code = 2


class ConfigError(AuditorError):
    """A config file or option is invalid (unknown key, wrong type)."""


class InputError(AuditorError):
    """The input cannot be read at all (missing, unreadable, undetectable format)."""


class NotReadyError(Exception):
    """Raised by ``Report.raise_if_not_ready()``; carries the report."""

    def __init__(self, report: object, message: str) -> None:
        super().__init__(message)
        self.report = report


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so the run unwinds as on Ctrl-C
    (temporary files removed, workers ended) and exits 130.

    Not a KeyboardInterrupt: when one was raised while a module was being
    imported, Python 3.11 still ended the process with SIGINT after the CLI
    had handled it (exit status -2 instead of 130; 4 of 6 runs under pytest
    with `python -m auditor`, none with this class).
    """


def shown(name: object) -> str:
    """A file name (or any user-given value) as it goes into a one-line message.

    Printable names are shown as they are, so ordinary messages read naturally;
    a name holding a newline, an escape sequence, a bidi control or bytes that
    are not UTF-8 (a lone surrogate once decoded) is shown quoted with Python's
    escapes, so it can neither split the line nor repaint the terminal.
    """
    text = str(name)
    return text if text.isprintable() else repr(text)


def one_line(message: str) -> str:
    """``message`` with every unprintable character escaped: the last guard of the one-line rule.

    Messages quote names through ``shown``; this catches any text that reached
    a message without it (a reader's error text quoting the data, say).
    """
    if message.isprintable():
        return message
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
