"""Trace code format: 10 random Crockford base32 characters plus one check character."""

from __future__ import annotations

import secrets

from django.utils.translation import gettext as _

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BASE = len(ALPHABET)
BODY_LENGTH = 10
CODE_LENGTH = BODY_LENGTH + 1
_VALUE = {char: index for index, char in enumerate(ALPHABET)}
# Characters people (and OCR) confuse with ones in the alphabet.
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0"})


def _gf32_times(a: int, b: int) -> int:
    """Multiplication in GF(2^5) modulo the primitive polynomial x^5 + x^2 + 1."""
    product = 0
    while b:
        if b & 1:
            product ^= a
        b >>= 1
        a <<= 1
        if a & 0b100000:
            a ^= 0b100101
    return product


def _weights(count: int) -> list[int]:
    # Powers of the generator x (= 2): alpha^count ... alpha^1 for the body; the check
    # character itself weighs alpha^0 = 1. All 11 weights differ (the group has order 31).
    powers = [1]
    for _step in range(count):
        powers.append(_gf32_times(powers[-1], 2))
    return list(reversed(powers[1:]))


_BODY_WEIGHTS = _weights(BODY_LENGTH)


def check_character(body: str) -> str:
    """The check character: a weighted sum over GF(32) with distinct weights per position.

    Unlike Luhn mod 32 (which misses the adjacent swap "0Z" <-> "Z0"), this catches every
    single wrong character and every adjacent transposition, the check character included,
    because w_i * (a - b) != 0 and (w_i - w_j) * (a - b) != 0 in a field.
    """
    total = 0
    for weight, char in zip(_BODY_WEIGHTS, body, strict=True):
        total ^= _gf32_times(weight, _VALUE[char])
    return ALPHABET[total]


def code_generate() -> str:
    body = "".join(secrets.choice(ALPHABET) for _position in range(BODY_LENGTH))
    return body + check_character(body)


def code_normalise(text: str) -> str:
    """Upper case, no spaces or dashes, I/L read as 1 and O as 0."""
    cleaned = "".join(str(text or "").split()).replace("-", "").upper()
    return cleaned.translate(_CONFUSABLE)


def code_group(code: str) -> str:
    """The printed form, "XXXX-XXXX-XXX"."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def code_check(text: str) -> tuple[str | None, str | None]:
    """(normalised code, None) when valid, else (None, a Chinese message for the person typing)."""
    code = code_normalise(text)
    if len(code) != CODE_LENGTH:
        return None, _("码的长度不对")
    if any(char not in _VALUE for char in code):
        return None, _("含有无效字符")
    if check_character(code[:-1]) != code[-1]:
        return None, _("校验位不对，可能输错了一位，请核对")
    return code, None
