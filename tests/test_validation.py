import math

import pytest

from hopcore import validation
from hopcore.book.spec import registry, resolve


@pytest.mark.parametrize(
    "validator,value,pattern",
    [
        (validation.integer(16, 100), -5, r"N=-5 is not allowed: N must be an integer in \[16, 100\]"),
        (validation.integer(16, 100), 1e9, r"N=1000000000 .*\[16, 100\]"),
        (validation.integer(16, 100), "abc", r"N='abc' .*integer"),
        (validation.integer(16, 100), True, r"N=True"),
        (validation.odd_integer(3, 9), 4, r"N=4 .*odd integer in \[3, 9\]"),
        (validation.real(0, 1, lo_open=True), 0.0, r"N=0.0 .*\(0, 1\]"),
        (validation.real(0, 1), math.nan, r"N=nan"),
        (validation.choice("quick", "paper"), "fast", r"N='fast' .*'quick', 'paper'"),
        (validation.list_of(validation.real(0, 1)), [0.1, -0.2], r"N\[1\]=-0.2"),
        (validation.list_of(validation.real(0, 1)), [], r"N=\[\] .*at least 1"),
        (validation.list_of(validation.real(0, 1)), "0.1", r"N='0.1'"),
    ],
)
def test_validators_name_parameter_value_and_range(validator, value, pattern):
    with pytest.raises(ValueError, match=pattern):
        validator("N", value)


def test_validators_normalize():
    assert validation.integer(1)("N", 8.0) == 8
    assert validation.list_of(validation.real(0, 1), increasing=True)("a", (0.1, 0.2)) == [0.1, 0.2]
    with pytest.raises(ValueError, match="strictly increasing"):
        validation.list_of(validation.real(0, 1), increasing=True)("a", [0.2, 0.1])


def test_memory_check():
    with pytest.raises(ValueError, match=r"N=10 .*GiB"):
        validation.memory_bytes("N", 10, 2**40, 2**30)
    validation.memory_bytes("N", 10, 2**20, 2**30)


def test_every_chapter_resolves_both_profiles_and_rejects_unknown_names(tmp_path):
    chapters = registry()
    assert chapters, "no chapter registered"
    for name in chapters:
        for profile in ("quick", "paper"):
            p = resolve(name, {"profile": profile, "output_dir": str(tmp_path / name)})
            assert p.profile == profile
        with pytest.raises(ValueError, match="valid parameters are"):
            resolve(name, {"not_a_knob": 1})
        with pytest.raises(ValueError, match="profile='huge'"):
            resolve(name, {"profile": "huge"})
        with pytest.raises(ValueError, match="seed=-1"):
            resolve(name, {"seed": -1})
