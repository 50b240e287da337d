"""Pure helpers for 12-digit statistics codes (no database access)."""

from __future__ import annotations

# Digits each level adds: province 2, city 2, county 2, town 3, village 3.
LEVEL_DIGITS = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}
PROVINCE, CITY, COUNTY, TOWN, VILLAGE = 1, 2, 3, 4, 5


def pad(code: str) -> str:
    """Pad a short NBS code (2, 4, 6, 9 or 12 digits) to the 12-digit form."""
    code = str(code).strip()
    if not code.isdigit() or len(code) not in LEVEL_DIGITS.values():
        raise ValueError(f"not a statistics code: {code!r}")
    return code.ljust(12, "0")


def level_of(code12: str) -> int:
    """The level of a 12-digit code, read from where its trailing zeros start."""
    if len(code12) != 12 or not code12.isdigit():
        raise ValueError(f"not a 12-digit statistics code: {code12!r}")
    for level in (VILLAGE, TOWN, COUNTY, CITY):
        n = LEVEL_DIGITS[level]
        prev = LEVEL_DIGITS[level - 1]
        if code12[prev:n].strip("0") and not code12[n:].strip("0"):
            return level
    return PROVINCE


def ancestor_code(code12: str, level: int) -> str:
    """The code of the ancestor at ``level`` (or the code itself at its own level)."""
    return code12[: LEVEL_DIGITS[level]].ljust(12, "0")


def ancestor_codes(code12: str) -> list[str]:
    """Codes from the province down to the region itself."""
    own = level_of(code12)
    return [ancestor_code(code12, lvl) for lvl in range(PROVINCE, own + 1)]
