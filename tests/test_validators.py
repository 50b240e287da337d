"""Validators for what people type: mobile numbers and 统一社会信用代码."""

import pytest
from django.core.exceptions import ValidationError

from marketplace.validators import (
    normalise_phone,
    uscc_check_character,
    validate_mobile_phone,
    validate_phone,
    validate_uscc,
)


def with_check(first17: str) -> str:
    return first17 + uscc_check_character(first17)


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # published example (福建), check character 3
        with_check("9111000071093123X"),
        with_check("93331123MA2A00001"),  # 农民专业合作社 in 遂昌县
        with_check("93331123MA2A00001").lower(),  # typed in lower case
        " " + with_check("12100000400000000") + " ",  # spaces around
    ],
    ids=["fujian-example", "beijing", "suichang-coop", "lower-case", "spaces"],
)
def test_valid_uscc_passes(code):
    validate_uscc(code)


def test_check_character_is_in_the_alphabet_for_every_remainder():
    seen = {uscc_check_character(f"9133112{n:010d}") for n in range(400)}
    assert seen <= set("0123456789ABCDEFGHJKLMNPQRTUWXY")
    assert len(seen) > 20


@pytest.mark.parametrize(
    ("code", "code_name", "message"),
    [
        ("91350100M000100Y44", "uscc_check", "校验位不正确"),
        ("91350100M000100Y4", "uscc_length", "应为18位（当前 17 位）"),
        ("91350100M000100Y433", "uscc_length", "当前 19 位"),
        ("", "uscc_length", "当前 0 位"),
        ("91350100M000100I43", "uscc_chars", "不使用 I、O、Z、S、V"),
        ("91350100M000100O43", "uscc_chars", "不允许的字符"),
        ("91350100M000100Z43", "uscc_chars", "不允许的字符"),
        ("91350100M000100S43", "uscc_chars", "不允许的字符"),
        ("91350100M000100V43", "uscc_chars", "不允许的字符"),
        ("913501AAM000100Y43", "uscc_chars", "不允许的字符"),  # region code must be digits
        ("91350100M000100Y4！", "uscc_chars", "不允许的字符"),
    ],
    ids=["check-char", "17-chars", "19-chars", "empty", "letter-I", "letter-O", "letter-Z",
         "letter-S", "letter-V", "letters-in-region", "full-width-punct"],
)
def test_invalid_uscc_is_a_clear_error(code, code_name, message):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(code)
    assert exc.value.code == code_name
    assert message in exc.value.messages[0]


@pytest.mark.parametrize(
    "number",
    ["13812345678", "+8613812345678", "+86 138 1234 5678", "008613812345678", "138-1234-5678",
     " 19912345678 "],
    ids=["plain", "+86", "+86-spaces", "0086", "dashes", "padded"],
)
def test_valid_mobile_numbers(number):
    validate_mobile_phone(number)
    assert normalise_phone(number).isdigit()
    assert len(normalise_phone(number)) == 11


@pytest.mark.parametrize(
    "number",
    ["1381234567", "138123456789", "12812345678", "23812345678", "1381234567a", "",
     "+1 415 555 0100", "0578-8123456", "一三八一二三四五六七八"],
    ids=["10-digits", "12-digits", "starts-12", "starts-2", "letter", "empty", "us-number",
         "landline", "chinese-digits"],
)
def test_malformed_mobile_numbers_are_a_clear_error(number):
    with pytest.raises(ValidationError) as exc:
        validate_mobile_phone(number)
    assert exc.value.code == "invalid_phone"
    assert "11位手机号码" in exc.value.messages[0]


@pytest.mark.parametrize("number", ["0578-8123456", "05788123456", "010-12345678", "13812345678"])
def test_phone_accepts_landlines_with_area_code(number):
    validate_phone(number)


@pytest.mark.parametrize("number", ["8123456", "0578-81234", "phone"])
def test_phone_rejects_numbers_without_area_code(number):
    with pytest.raises(ValidationError):
        validate_phone(number)
