"""Reading a lecturer's file: a regular file only (never a FIFO or a device) and at most a size cap."""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["FileProblem", "read_regular"]

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class FileProblem(ValueError):
    """A file that is not read: ``problem`` (e.g. ``"not a regular file (a FIFO)"``) and ``fix``."""

    def __init__(self, problem: str, fix: str) -> None:
        self.problem, self.fix = problem, fix
        super().__init__(f"{problem}; {fix}")


def _check_regular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "not a file")
        raise FileProblem(f"not a regular file ({kind})", "give the path of a regular file")


def _too_large(lead: str, limit: int, what: str) -> FileProblem:
    return FileProblem(f"{lead} the {limit / 1e6:g} MB a {what} may be", f"use a smaller {what}")


def read_regular(path: Path, limit: int, what: str) -> bytes:
    """The bytes of the regular file ``path`` (at most ``limit`` of them; ``what`` names it in messages,
    e.g. ``"lesson file"``). The file is checked with ``os.stat`` before it is opened, so a FIFO is
    never opened; it is then opened non-blocking and checked again (in case it was replaced), and at
    most ``limit + 1`` bytes are read. Raises :class:`FileProblem`, or ``OSError`` (e.g.
    ``FileNotFoundError``) when it cannot be read."""
    info = os.stat(path)
    _check_regular(info.st_mode)
    if info.st_size > limit:
        raise _too_large(f"is {info.st_size / 1e6:.1f} MB, more than", limit, what)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as file:
        _check_regular(os.fstat(fd).st_mode)
        data = file.read(limit + 1)
    if len(data) > limit:  # it grew after the stat
        raise _too_large("grew, while it was read, past", limit, what)
    return data
