"""Trace codes: short enough to type, unguessable, and a mistyped character or two swapped
neighbours is caught by the check character before any lookup."""

from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.traceability.codes import (
    ALPHABET,
    BODY_LENGTH,
    CODE_LENGTH,
    check_character,
    code_check,
    code_generate,
    code_group,
)

bodies = st.text(alphabet=ALPHABET, min_size=BODY_LENGTH, max_size=BODY_LENGTH)


@settings(max_examples=200, deadline=None)
@given(body=bodies)
def test_every_single_wrong_character_is_caught(body):
    code = body + check_character(body)
    assert code_check(code) == (code, None)
    for position in range(CODE_LENGTH):
        for char in ALPHABET:
            if char == code[position]:
                continue
            typo = code[:position] + char + code[position + 1:]
            assert code_check(typo)[0] is None, typo


@settings(max_examples=200, deadline=None)
@given(body=bodies)
def test_every_swap_of_two_neighbours_is_caught(body):
    code = body + check_character(body)
    for position in range(CODE_LENGTH - 1):
        a, b = code[position], code[position + 1]
        if a == b:
            continue
        swapped = code[:position] + b + a + code[position + 2:]
        assert code_check(swapped)[0] is None, swapped


def test_what_people_type_is_read_as_the_code():
    code = code_generate()
    assert code_check(code_group(code).lower()) == (code, None)
    assert code_check(" " + code_group(code) + " ") == (code, None)
    with_zero = "0" + code[1:]
    fixed = with_zero[:-1] + check_character(with_zero[:-1])
    assert code_check("O" + fixed[1:]) == (fixed, None)  # the letter O read as zero


def test_clear_messages_for_input_that_cannot_be_a_code():
    assert code_check("")[1] == "码的长度不对"
    assert code_check("ABC")[1] == "码的长度不对"
    assert code_check("ABCDEFGHJKU")[1] == "含有无效字符"  # U is not in the alphabet
    code = code_generate()
    wrong = code[:-1] + next(c for c in ALPHABET if c != code[-1])
    assert code_check(wrong)[1] == "校验位不对，可能输错了一位，请核对"


def test_codes_are_random_and_do_not_repeat():
    codes = {code_generate() for _ in range(10_000)}
    assert len(codes) == 10_000
    assert all(len(c) == CODE_LENGTH and code_check(c)[0] == c for c in codes)
    # no position is fixed: every character of the alphabet shows up in the first place
    assert {c[0] for c in codes} == set(ALPHABET)
