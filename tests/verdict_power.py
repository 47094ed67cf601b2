"""Power of a verdict, measured: shifted references must fail it, tiny shifts must not.

``evaluate(scale)`` recomputes the chapter's verdicts with the reference multiplied by ``scale``
*through the running code* (a monkeypatched theory function, or a keyword of the chapter's verdict
builder); :func:`assert_power` checks, for the verdict ``name``, that it holds unshifted, fails for
shifts of +-2.5 times its resolution and holds for shifts of +-0.1 times its resolution.
"""

import math


def by_name(verdicts, name):
    found = [v for v in verdicts if v.name == name]
    assert found, f"no verdict {name!r} among {[v.name for v in verdicts]}"
    return found[0]


def assert_power(evaluate, name, far=2.5, near=0.1):
    base = by_name(evaluate(1.0), name)
    assert base.holds, f"{name} does not hold unshifted at test sizes: {base.record()}"
    res = base.resolution
    assert math.isfinite(res) and res > 0, f"{name}: resolution {res}"
    for s in (far * res, -far * res):
        v = by_name(evaluate(1.0 + s), name)
        assert not v.holds, f"{name}: a shift of {s:+.3g} of the reference ({far} x resolution) goes unnoticed"
    for s in (near * res, -near * res):
        v = by_name(evaluate(1.0 + s), name)
        assert v.holds, f"{name}: a shift of {s:+.3g} ({near} x resolution) already fails it"
    return base


def assert_detects(verdicts, name):
    """A planted bug (factor 2 in a variance, a wrong sign, a broken kernel) must fail the verdict."""
    v = by_name(verdicts, name)
    assert not v.holds, f"{name} still holds with the planted bug: {v.record()}"
