"""One reader for TOML and JSON tables: program files and capacity scenarios.

:class:`TableReader` walks parsed data (dicts, lists, numbers, text) and raises
one error type with a message that names the source and the key
(``tiers[2].requirements.csat``); :func:`parse_text` turns TOML or JSON text
into that data (a JSON key given twice is an error, as it is in TOML; nesting
deeper than :data:`MAX_DEPTH` is an error, never a :class:`RecursionError`);
:func:`read_text` reads a UTF-8 file naming the path in every error.
:mod:`channelkit.io` (programs) and :mod:`channelkit._scenario` (scenarios)
both use it, so the rules for numbers, whole numbers, text and unknown keys
are the same in every file channelkit reads.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from ._validation import is_number
from .errors import InvalidInputError

__all__ = ["MAX_DEPTH", "TableReader", "join", "kind", "parse_text", "read_text"]

#: Deepest nesting of tables and lists a program or scenario file may have.
MAX_DEPTH = 32


def kind(value: Any) -> str:
    """A short description of a value for error messages."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r:.60}"


def join(key: str, sub: str | int) -> str:
    """The dotted key of ``sub`` inside ``key``: ``tiers[0]``, ``policy.window``."""
    if isinstance(sub, int):
        return f"{key}[{sub}]"
    return f"{key}.{sub}" if key else sub


class TableReader:
    """Walks table data, raising ``error`` with a message that names the key.

    ``describe(key, problem)`` builds the message; the default is
    ``"<source>: key '<key>': <problem>"``.
    """

    def __init__(
        self,
        source: str,
        error: type[InvalidInputError] = InvalidInputError,
        describe: Callable[[str, str], str] | None = None,
    ) -> None:
        self.source = source
        self.error = error
        self.describe = describe or self._describe

    def _describe(self, key: str, problem: str) -> str:
        where = f"key {key!r}" if key else "the top level"
        return f"{self.source}: {where}: {problem}"

    def fail(self, key: str, problem: str) -> NoReturn:
        raise self.error(self.describe(key, problem))

    def table(
        self, value: Any, key: str, allowed: Sequence[str], required: Sequence[str] = ()
    ) -> dict[str, Any]:
        """``value`` as a table whose keys are among ``allowed`` and include ``required``."""
        if not isinstance(value, Mapping):
            self.fail(key, f"expected a table of keys, got {kind(value)}")
        for k in value:
            if k not in allowed:
                self.fail(join(key, k), f"unknown key; expected one of {', '.join(allowed)}")
        for k in required:
            if k not in value:
                self.fail(join(key, k), "is missing")
        return dict(value)

    def number(self, value: Any, key: str) -> float:
        """A number (not a boolean); an integer too large for a float is an error."""
        if not is_number(value):
            self.fail(key, f"expected a number, got {kind(value)}")
        try:
            return float(value)
        except OverflowError:
            self.fail(key, f"{value!r:.40}... is too large; expected a number below 1.8e308")

    def integer(self, value: Any, key: str, *, integral_floats: bool = False) -> int:
        """A whole number within int64 (``3.0`` too when ``integral_floats``)."""
        ok = is_number(value) and (
            isinstance(value, int) or (integral_floats and float(value).is_integer())
        )
        if not ok:
            self.fail(key, f"expected a whole number, got {kind(value)}")
        out = int(value)
        if not -(2**63) <= out < 2**63:
            self.fail(key, f"{value!r:.40} is too large; expected a whole number below 2**63")
        return out

    def string(self, value: Any, key: str) -> str:
        if not isinstance(value, str):
            self.fail(key, f"expected a string, got {kind(value)}")
        return value

    def boolean(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            self.fail(key, f"expected true or false, got {kind(value)}")
        return value

    def build(self, key: str, factory: Any, *args: Any, **kwargs: Any) -> Any:
        """``factory(*args, **kwargs)``, its InvalidInputError re-raised naming ``key``."""
        try:
            return factory(*args, **kwargs)
        except InvalidInputError as exc:
            self.fail(key, str(exc))


class _DuplicateKeyError(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for :func:`json.loads` that rejects repeated keys."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKeyError(key)
        out[key] = value
    return out


def _depth(text: str) -> int:
    """Deepest nesting of brackets and braces in ``text`` (strings included: an upper bound)."""
    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def parse_text(
    text: str, fmt: str, source: str, error: type[InvalidInputError] = InvalidInputError
) -> Any:
    """Parse TOML (``fmt="toml"``) or JSON text into plain data.

    Raises ``error`` naming ``source`` for a syntax error (with line and
    column), a JSON key given twice, or nesting deeper than
    :data:`MAX_DEPTH`.
    """
    if not isinstance(text, str):
        raise error(f"{source}: expected text, got {type(text).__name__}")
    if ("[" in text or "{" in text) and _depth(text) > MAX_DEPTH:
        raise error(
            f"{source}: tables and lists are nested more than {MAX_DEPTH} deep; "
            "a channelkit file never needs that"
        )
    try:
        if fmt == "toml":
            return tomllib.loads(text)
        return json.loads(text, object_pairs_hook=_unique_keys)
    except _DuplicateKeyError as exc:
        raise error(
            f"{source}: key {exc.key!r} appears twice in one JSON object; each key may be "
            "given once"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{source}: not valid TOML: {exc}") from None
    except json.JSONDecodeError as exc:
        raise error(
            f"{source}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise error(f"{source}: nested too deeply") from None


def read_text(
    path: str | os.PathLike[str], error: type[InvalidInputError] = InvalidInputError
) -> str:
    """The UTF-8 text of ``path``; a missing, unreadable or non-UTF-8 file raises ``error``."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{p}: no such file") from None
    except UnicodeDecodeError as exc:
        raise error(
            f"{p}: cannot read the file: it is not UTF-8 text (byte {exc.start}: "
            f"{exc.object[exc.start : exc.start + 1]!r}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise error(f"{p}: cannot read the file: {exc}") from None
