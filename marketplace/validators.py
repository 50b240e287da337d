"""Validators for identifiers people type: mainland phone numbers and 统一社会信用代码."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Landline: area code 0 + 2-3 digits, then 7-8 digits, optional dash.
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def normalise_phone(value: str) -> str:
    """Strip spaces, dashes inside mobile numbers and a +86 prefix."""
    value = (value or "").strip().replace(" ", "")
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    if value.replace("-", "").isdigit() and len(value.replace("-", "")) == 11 and value[0] == "1":
        value = value.replace("-", "")
    return value


def validate_mobile_phone(value: str) -> None:
    """A mainland China mobile number: 11 digits starting 13-19."""
    if not _MOBILE_RE.match(normalise_phone(value)):
        raise ValidationError(
            _("请输入正确的11位手机号码（例如 13812345678）。"), code="invalid_phone"
        )


def validate_phone(value: str) -> None:
    """A mobile number or a landline with area code (e.g. 0578-8123456)."""
    v = normalise_phone(value)
    if not (_MOBILE_RE.match(v) or _LANDLINE_RE.match(v)):
        raise ValidationError(
            _("请输入正确的电话号码：11位手机号或带区号的固定电话（如 0578-8123456）。"),
            code="invalid_phone",
        )


# GB 32100-2015: 18 characters from this alphabet (no I, O, Z, S, V).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def uscc_check_character(first17: str) -> str:
    """The 18th (check) character of a unified social credit code."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    """统一社会信用代码 per GB 32100-2015, including its check character."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位（当前 %(n)d 位）。"),
            code="uscc_length",
            params={"n": len(code)},
        )
    if not _USCC_RE.match(code):
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）。"), code="uscc_chars"
        )
    if uscc_check_character(code[:17]) != code[17]:
        raise ValidationError(
            _("统一社会信用代码校验位不正确，请核对后重新输入。"), code="uscc_check"
        )
