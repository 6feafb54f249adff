"""Which parts of a lesson a reader used, and a digest of each part's value.

A beat's picture depends on exactly the parts of the :class:`~gradcore.Lesson` it reads. A render job hands
its beat a :class:`Reads` instead of the lesson, which notes every attribute read (``descent``, ``race``;
``config.<name>`` inside the config); the render cache stores :func:`digests` of those parts and reuses the
video while they are unchanged. So editing the lesson file's ``[[race]]`` re-renders only the beat that
draws the race, whichever other parts of the file it touches. A part that readers read key by key (a
:class:`Keyed` one, the narration's lines of each beat) is noted per key: ``config.narration[FittedLine]``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable
from typing import Any, cast

import numpy as np

__all__ = ["WHOLE", "Keyed", "Reads", "digest", "digests"]

WHOLE = "*"  # the name noted when a reader calls one of the lesson's methods: it may depend on any part


class Keyed:
    """A lesson part that each reader reads one key of, with :meth:`part`: through :class:`Reads`, ``part(key)`` is
    noted as ``<name>[<key>]`` and its digest is that of ``part(key)`` alone."""

    def part(self, key: str) -> object:
        raise NotImplementedError


_KEYED = re.compile(r"(.+)\[([^\[\]]*)\]")


def _feed(h: Any, value: object) -> None:
    """Feed ``value`` into the hash ``h``, tagged by type so that ``1``, ``1.0`` and ``"1"`` differ."""
    if value is None or isinstance(value, bool | int | str):
        h.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, float | np.floating):
        h.update(f"float:{float(value)!r};".encode())
    elif isinstance(value, np.integer):
        h.update(f"int:{int(value)!r};".encode())
    elif isinstance(value, np.ndarray):
        if value.dtype == object:
            h.update(f"objects{value.shape};".encode())
            for item in value.ravel():
                _feed(h, item)
        else:
            h.update(f"array:{value.dtype.str}{value.shape};".encode())
            h.update(np.ascontiguousarray(value).tobytes())
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        h.update(f"{type(value).__qualname__}(".encode())
        for field in dataclasses.fields(value):
            h.update(f"{field.name}=".encode())
            _feed(h, getattr(value, field.name))
        h.update(b");")
    elif isinstance(value, tuple | list):
        h.update(f"{type(value).__qualname__}[{len(value)}](".encode())
        for item in value:
            _feed(h, item)
        h.update(b");")
    elif isinstance(value, dict):
        h.update(f"dict[{len(value)}](".encode())
        for key in sorted(value, key=repr):
            _feed(h, key)
            _feed(h, value[key])
        h.update(b");")
    elif callable(value):
        # the core's callables are compiled from data beside them (Function1D.f from its text), which is fed
        h.update(b"callable;")
    else:
        raise TypeError(f"cannot digest a {type(value).__qualname__}")


def digest(value: object) -> str:
    """sha256 of ``value``'s content: numbers exactly (``repr`` of floats, array bytes), dataclasses field by
    field, containers item by item; equal for equal lesson parts in any process."""
    h = hashlib.sha256()
    _feed(h, value)
    return h.hexdigest()


def _part(lesson: object, name: str) -> object:
    """The part of ``lesson`` a noted name stands for: ``descent``, ``config.race``, or :data:`WHOLE`."""
    if name == WHOLE:
        return lesson
    keyed = _KEYED.fullmatch(name)
    path, key = (keyed.group(1), keyed.group(2)) if keyed else (name, None)
    value = lesson
    for attribute in path.split("."):
        value = getattr(value, attribute)
    if key is not None:
        if not isinstance(value, Keyed):
            raise AttributeError(name)
        return value.part(key)
    return value


def digests(lesson: object, names: Iterable[str]) -> dict[str, str]:
    """``{name: digest(part)}`` for each noted name (a name the lesson no longer has digests as missing)."""
    out = {}
    for name in names:
        try:
            out[name] = digest(_part(lesson, name))
        except AttributeError:
            out[name] = "missing"
    return out


class Reads:
    """``target`` (a lesson) that notes in ``noted`` the name of every attribute read through it; its ``config``
    is wrapped too, so a read of ``lesson.config.descent`` notes ``config.descent``. Values come back unwrapped."""

    __slots__ = ("_noted", "_prefix", "_target")
    _target: object
    _noted: set[str]
    _prefix: str

    def __init__(self, target: object, noted: set[str], prefix: str = "") -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_noted", noted)
        object.__setattr__(self, "_prefix", prefix)

    def __getattr__(self, name: str) -> object:
        value = getattr(self._target, name)
        if not self._prefix and name == "config":
            return Reads(value, self._noted, "config.")
        if isinstance(value, Keyed):
            return _KeyedReads(value, self._noted, f"{self._prefix}{name}.")
        bound = callable(value) and not isinstance(value, type) and getattr(value, "__self__", None) is self._target
        self._noted.add(WHOLE if bound else self._prefix + name)
        return value

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a lesson is read-only")


class _KeyedReads(Reads):
    """A :class:`Keyed` part read through :class:`Reads`: ``part(key)`` notes ``<name>[<key>]``, any attribute ``<name>.<attribute>``."""

    __slots__ = ()

    def part(self, key: str) -> object:
        self._noted.add(f"{self._prefix[:-1]}[{key}]")
        return cast(Keyed, self._target).part(key)
