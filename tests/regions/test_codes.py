"""12-digit statistics codes: padding, levels and ancestors (pure functions)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.regions import codes


@pytest.mark.parametrize(
    ("short", "level"),
    [
        pytest.param("33", codes.PROVINCE, id="province"),
        pytest.param("3311", codes.CITY, id="city"),
        pytest.param("331123", codes.COUNTY, id="county"),
        pytest.param("331123102", codes.TOWN, id="town"),
        pytest.param("331123102209", codes.VILLAGE, id="village"),
        pytest.param("1101", codes.CITY, id="municipal-district-city"),
    ],
)
def test_pad_and_level(short, level):
    code12 = codes.pad(short)
    assert len(code12) == 12
    assert codes.level_of(code12) == level


def test_ancestors_of_a_village():
    assert codes.ancestor_codes("331123102209") == [
        "330000000000", "331100000000", "331123000000", "331123102000", "331123102209",
    ]


@pytest.mark.parametrize("bad", ["", "abc", "3", "33112", "3311231022091", "33-1123"])
def test_pad_rejects_what_is_not_a_code(bad):
    with pytest.raises(ValueError, match="not a statistics code"):
        codes.pad(bad)


# Real codes: every segment above the region's own level is non-zero (no "00" city).
_codes = st.builds(
    lambda depth, p, c, k, t, v: "".join(
        f"{n:0{w}d}" if i < depth else "0" * w
        for i, (n, w) in enumerate([(p, 2), (c, 2), (k, 2), (t, 3), (v, 3)])
    ),
    st.integers(1, 5), st.integers(11, 65), st.integers(1, 99), st.integers(1, 99),
    st.integers(1, 999), st.integers(1, 999),
)


@given(_codes)
def test_every_ancestor_is_a_prefix_at_a_higher_level(code12):
    chain = codes.ancestor_codes(code12)
    levels = [codes.level_of(c) for c in chain]
    assert levels == list(range(codes.PROVINCE, codes.level_of(code12) + 1))
    assert chain[-1] == code12
    for level, ancestor in zip(levels, chain, strict=True):
        digits = codes.LEVEL_DIGITS[level]
        assert ancestor[:digits] == code12[:digits]
        assert set(ancestor[digits:]) <= {"0"}
