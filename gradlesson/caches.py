"""Folders kept between runs and shared by every output folder, as what each file holds depends only on its name
(a hash of everything that made it): the speech (:mod:`gradlesson.voice`) and the compiled formulas
(:mod:`gradlesson.render`)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["user_cache"]


def user_cache(kind: str) -> Path:
    """``$GRADLESSON_<KIND>_CACHE``, else ``$XDG_CACHE_HOME`` (or ``~/.cache``) ``/gradient-lesson/<kind>``."""
    if folder := os.environ.get(f"GRADLESSON_{kind.upper()}_CACHE"):
        return Path(folder)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gradient-lesson" / kind
