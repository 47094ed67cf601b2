"""Parameter validation: fail at once, naming the parameter, its value and the allowed range.

Every validator has the signature ``check(name, value) -> normalized value`` and raises
``ValueError`` with a message of the form ``"N=-5 is not allowed: N must be an integer in [16, 10^6]"``.
Validators run before any computation starts (see :func:`hopcore.book.spec.prepare`).
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Sequence

Validator = Callable[[str, Any], Any]


def fail(name: str, value: Any, allowed: str) -> None:
    """Raise the ``ValueError`` of a refused parameter.

    The message reads ``"<name>=<value!r> is not allowed: <name> must be <allowed>"``.

    Parameters
    ----------
    name : str
        Name of the parameter.
    value : object
        The refused value.
    allowed : str
        What the parameter must be, e.g. ``"an integer in [16, 10^6]"``.

    Returns
    -------
    None
        Never returns: always raises ``ValueError``.
    """
    raise ValueError(f"{name}={value!r} is not allowed: {name} must be {allowed}")


def _fmt(x: float) -> str:
    if x == math.inf:
        return "inf"
    if x == -math.inf:
        return "-inf"
    return f"{x:g}"


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def integer(lo: int | None = None, hi: int | None = None) -> Validator:
    """An integer in [lo, hi] (either bound may be None for unbounded).

    Integral reals (e.g. 3.0) are accepted and converted; booleans are refused.

    Parameters
    ----------
    lo : int or None, optional
        Lower bound (default None: unbounded).
    hi : int or None, optional
        Upper bound (default None: unbounded).

    Returns
    -------
    callable
        A validator ``check(name, value) -> int``.
    """

    def check(name: str, value: Any) -> int:
        allowed = f"an integer in [{lo if lo is not None else '-inf'}, {hi if hi is not None else 'inf'}]"
        if not _is_int(value):
            if _is_real(value) and float(value).is_integer():
                value = int(value)
            else:
                fail(name, value, allowed)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            fail(name, value, allowed)
        return int(value)

    return check


def odd_integer(lo: int = 1, hi: int | None = None) -> Validator:
    """An odd integer in [lo, hi] (mixture orders, sparse L).

    Parameters
    ----------
    lo : int, optional
        Lower bound (default 1).
    hi : int or None, optional
        Upper bound (default None: unbounded).

    Returns
    -------
    callable
        A validator ``check(name, value) -> int``.
    """
    base = integer(lo, hi)

    def check(name: str, value: Any) -> int:
        allowed = f"an odd integer in [{lo}, {hi if hi is not None else 'inf'}]"
        try:
            v = base(name, value)
        except ValueError:
            fail(name, value, allowed)
        if v % 2 == 0:
            fail(name, value, allowed)
        return v

    return check


def real(lo: float = -math.inf, hi: float = math.inf, *, lo_open: bool = False, hi_open: bool = False) -> Validator:
    """A finite real number in the interval [lo, hi] (or open at either end).

    Booleans and non-finite values are refused.

    Parameters
    ----------
    lo : float, optional
        Lower bound (default -inf).
    hi : float, optional
        Upper bound (default inf).
    lo_open : bool, optional
        Exclude ``lo`` itself (default False).
    hi_open : bool, optional
        Exclude ``hi`` itself (default False).

    Returns
    -------
    callable
        A validator ``check(name, value) -> float``.
    """
    left = "(" if lo_open else "["
    right = ")" if hi_open else "]"
    allowed = f"a real number in {left}{_fmt(lo)}, {_fmt(hi)}{right}"

    def check(name: str, value: Any) -> float:
        if not _is_real(value) or not math.isfinite(float(value)):
            fail(name, value, allowed)
        v = float(value)
        if v < lo or v > hi or (lo_open and v == lo) or (hi_open and v == hi):
            fail(name, value, allowed)
        return v

    return check


def positive(hi: float = math.inf) -> Validator:
    """A finite real number in (0, hi].

    Parameters
    ----------
    hi : float, optional
        Upper bound, included (default inf).

    Returns
    -------
    callable
        A validator ``check(name, value) -> float``.
    """
    return real(0.0, hi, lo_open=True)


def choice(*options: Any) -> Validator:
    """One of the given options.

    Parameters
    ----------
    *options : object
        The allowed values.

    Returns
    -------
    callable
        A validator ``check(name, value)`` that returns ``value`` unchanged if it is one of ``options``.
    """
    def check(name: str, value: Any) -> Any:
        if value not in options:
            fail(name, value, "one of " + ", ".join(repr(o) for o in options))
        return value

    return check


def list_of(item: Validator, min_len: int = 1, max_len: int | None = None, increasing: bool = False) -> Validator:
    """A non-empty list (or tuple/array) whose every entry passes ``item``.

    Strings are refused; entries are validated as ``name[k]``.

    Parameters
    ----------
    item : callable
        Validator of each entry.
    min_len : int, optional
        Minimum length (default 1).
    max_len : int or None, optional
        Maximum length (default None: unbounded).
    increasing : bool, optional
        Require strictly increasing entries (default False).

    Returns
    -------
    callable
        A validator ``check(name, value) -> list`` of the normalized entries.
    """

    def check(name: str, value: Any) -> list:
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            fail(name, value, f"a list of at least {min_len} values")
        values = list(value)
        if len(values) < min_len or (max_len is not None and len(values) > max_len):
            fail(name, value, f"a list of at least {min_len} values" + (f" and at most {max_len}" if max_len else ""))
        out = [item(f"{name}[{k}]", v) for k, v in enumerate(values)]
        if increasing and any(b <= a for a, b in zip(out, out[1:])):
            fail(name, value, "a strictly increasing list")
        return out

    return check


def one_or_list(item: Validator, min_len: int = 1) -> Validator:
    """Either one value passing ``item`` or a list of such values (e.g. one per network size).

    Parameters
    ----------
    item : callable
        Validator of a single value.
    min_len : int, optional
        Minimum length of a list (default 1).

    Returns
    -------
    callable
        A validator ``check(name, value)`` returning the normalized value or list.
    """
    many = list_of(item, min_len=min_len)

    def check(name: str, value: Any) -> Any:
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            return item(name, value)
        return many(name, value)

    return check


def seed(name: str, value: Any) -> int:
    """Validate a random seed: an integer in [0, 2^63 - 1].

    Parameters
    ----------
    name : str
        Name of the parameter.
    value : object
        The seed.

    Returns
    -------
    int
        The seed.
    """
    return integer(0, 2**63 - 1)(name, value)


def text(name: str, value: Any) -> str:
    """Validate a non-empty string.

    Parameters
    ----------
    name : str
        Name of the parameter.
    value : object
        The value.

    Returns
    -------
    str
        The value.
    """
    if not isinstance(value, str) or not value:
        fail(name, value, "a non-empty string")
    return value


def memory_bytes(name: str, value: Any, nbytes: float, limit_bytes: float) -> None:
    """Refuse a size whose arrays would not fit: ``nbytes`` is what the parameter asks for.

    Raises ``ValueError`` (naming ``name`` and ``value``) when ``nbytes > limit_bytes``.

    Parameters
    ----------
    name : str
        Name of the parameter that sets the size.
    value : object
        Its value.
    nbytes : float
        Bytes the arrays would take.
    limit_bytes : float
        The limit, usually :func:`memory_limit_bytes`.

    Returns
    -------
    None
    """
    if nbytes > limit_bytes:
        fail(
            name,
            value,
            f"small enough that the arrays fit in memory (asks {nbytes / 2**30:.1f} GiB, "
            f"limit {limit_bytes / 2**30:.1f} GiB)",
        )


def memory_limit_bytes() -> float:
    """Half the physical memory: what one chapter may use for its largest arrays.

    Returns
    -------
    float
        The limit in bytes (8 GiB if the physical memory cannot be read).
    """
    try:
        import os

        pages = os.sysconf("SC_PHYS_PAGES")
        size = os.sysconf("SC_PAGE_SIZE")
        return 0.5 * pages * size
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        return 8 * 2**30


__all__: Sequence[str] = [
    "choice",
    "fail",
    "integer",
    "list_of",
    "memory_bytes",
    "memory_limit_bytes",
    "odd_integer",
    "positive",
    "real",
    "seed",
    "text",
]
