"""Identifier checks (DOMAIN.md §5): hard failures raise ValueError, soft ones return a warning."""
from __future__ import annotations

import re
from functools import lru_cache

from stdnum import iso6346
from stdnum.cn import uscc

_CONTAINER = re.compile(r"[A-Z]{3}[UJZ][0-9]{7}")
_DECLARATION = re.compile(r"[0-9A-Z]{18}")
_USCC = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
_IMO = re.compile(r"(?:UN)?([0-9]{7})")
_LOCODE = re.compile(r"[A-Z]{2}[A-Z2-9]{3}")

# The same containers, enterprises and vessels recur in event after event: remember the verdicts.
_remember = lru_cache(maxsize=65536)


@_remember
def container_no(value: str) -> str:
    """Return the ISO 6346 container number, or raise ValueError saying what is wrong with it."""
    if not _CONTAINER.fullmatch(value):
        raise ValueError("not an ISO 6346 container number (3 letters, U/J/Z, 6 digits, check digit)")
    expected = iso6346.calc_check_digit(value[:10])
    if value[10] != expected:
        raise ValueError(f"bad ISO 6346 check digit {value[10]} (expected {expected})")
    return value


def declaration_no(value: str) -> str:
    """An 18-digit customs entry number or an 18-character single-window number."""
    if not _DECLARATION.fullmatch(value):
        raise ValueError("not an 18-character declaration number (digits or capital letters)")
    return value


def uscc_format(value: str) -> str:
    """Check the form of a unified social credit code; its check character is checked softly."""
    if not _USCC.fullmatch(value):
        raise ValueError("not an 18-character unified social credit code")
    return value


@_remember
def uscc_warning(field: str, value: str) -> str | None:
    """A warning when the USCC's check character fails: real registries hold a few such codes."""
    if uscc.is_valid(value):
        return None
    return f"{field}: check character of {value} fails (stored, flagged)"


@_remember
def vessel_imo(value: str) -> str:
    """Return the 7-digit IMO number (a leading 'UN', as China manifests write it, is dropped)."""
    match = _IMO.fullmatch(value)
    if not match:
        raise ValueError("not an IMO number (7 digits, optionally prefixed UN)")
    digits = match.group(1)
    check = sum(int(d) * w for d, w in zip(digits[:6], range(7, 1, -1), strict=True)) % 10
    if check != int(digits[6]):
        raise ValueError(f"bad IMO check digit {digits[6]} (expected {check})")
    return digits


def locode(value: str) -> str:
    """A UN/LOCODE: 2-letter country and 3 of A-Z2-9."""
    if not _LOCODE.fullmatch(value):
        raise ValueError("not a UN/LOCODE (2 letters and 3 of A-Z, 2-9)")
    return value


def declaration_direction_warning(value: str, direction: str) -> str | None:
    """The entry number's 9th digit is 1 for import, 0 for export: a mismatch is flagged, not dropped."""
    if not value.isdigit():
        return None
    flag = {"1": "IMPORT", "0": "EXPORT"}.get(value[8])
    if flag is None or flag == direction:
        return None
    return f"declaration_no: {value} reads as {flag} but the event says {direction}"
