"""Identifiers with valid check digits: ISO 6346 containers, USCCs, IMO numbers, customs entry numbers.

Check digits come from python-stdnum where it has them (ISO 6346, USCC); the IMO rule is the one in
DOMAIN.md §5 (digits 1-6 weighted 7..2, sum mod 10 = digit 7).
"""
from __future__ import annotations

from random import Random

from stdnum import iso6346
from stdnum.cn import uscc

# Organisation-code part of a USCC: mostly digits; the last one may be X (as GB 11714 check chars are).
_ORG_LAST = "0123456789X"


def imo_number(first_six: str) -> str:
    """The 7-digit IMO number whose first six digits are `first_six`."""
    total = sum(int(d) * w for d, w in zip(first_six, range(7, 1, -1)))
    return first_six + str(total % 10)


def container_number(rng: Random, owner: str, used: set[str]) -> str:
    """A fresh container number of owner code `owner` (4 letters ending U), never one in `used`."""
    while True:
        body = f"{owner}{rng.randrange(1_000_000):06d}"
        number = body + iso6346.calc_check_digit(body)
        if number not in used:
            used.add(number)
            return number


def uscc_code(rng: Random, region: str, entity: str = "91") -> str:
    """A unified social credit code: authority+type, 6-digit region, 9-char organisation code, check."""
    org = f"{rng.randrange(10**8):08d}{rng.choice(_ORG_LAST)}"
    stem = entity + region + org
    return stem + uscc.calc_check_digit(stem)


def declaration_number(office: str, year: int, direction: str, sequence: int) -> str:
    """18-digit customs entry number: office, year, 1 import / 0 export, 9-digit sequence."""
    flag = "1" if direction == "IMPORT" else "0"
    return f"{office}{year:04d}{flag}{sequence % 10**9:09d}"


def single_window_number(direction: str, year: int, sequence: int) -> str:
    """The 18-character number a declaration carries in the single window before customs accepts it."""
    return f"{direction[0]}{year:04d}{sequence % 10**13:013d}"


def bill_of_lading(rng: Random, scac: str) -> str:
    """A carrier bill of lading number: the SCAC then 10 digits (14 characters)."""
    return f"{scac}{rng.randrange(10**9, 10**10)}"
