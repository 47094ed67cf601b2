"""The book's Sphinx extension: numbering per page, docstring formulas as TeX, book-equation links."""

from __future__ import annotations

import re
import textwrap

import pytest

from hopcore.book.sphinxext import NotAFormula, _docstring_formulas, plain_to_tex


@pytest.mark.parametrize("plain, tex", [
    ("xi_i^nu h_i = (N-1)/N + C_i", r"\xi_i^{\nu} h_i = (N -1)/N + C_i"),
    ("P_err(alpha) = (1/2) erfc(1 / sqrt(2 alpha))", r"P_{\mathrm{err}} (\alpha ) = (1/2) \operatorname{erfc} (1 / \sqrt{2 \alpha})"),
    ("sum_{mu != nu} x.xi^mu", r"\sum_{\mu \neq \nu } x \cdot \xi^{\mu}"),
    ("kappa1^2 alpha_D -> inf", r"\kappa_1^2 \alpha_D \to \infty"),
    ("E_z |a z + b|", r"\mathbb{E}_z |a z + b |"),
    ("unc_i = sum_{l not in S} (F G)_il", r"\mathrm{unc}_i = \sum_{l \notin S } (F G )_{il}"),
])
def test_plain_formulas_become_tex(plain, tex):
    assert plain_to_tex([plain]) == tex


def test_comments_and_lines():
    tex = plain_to_tex(["E(x) = -(1/lam) log sum_mu exp(lam x.xi^mu)", "x_new = sum_mu a_mu xi^mu   (one step of rate 1)"])
    lines = tex.split(" \\\\\n")
    assert len(lines) == 2 and all("&=" in line for line in lines)
    assert lines[0].startswith("E (x )")  # an energy, not an average
    assert r"\text{(one step of rate 1)}" in lines[1]


def test_unknown_text_is_not_a_formula():
    with pytest.raises(NotAFormula):
        plain_to_tex(["path = $HOME/x"])


def test_docstring_lines():
    lines = textwrap.dedent("""\
        The field is

            N h_i = sum_mu xi_i^mu m_mu

        with a |bar| and word_ here.

        Book equation: snr-perr
        """).splitlines()
    _docstring_formulas(None, "function", "f", None, {}, lines)
    text = "\n".join(lines)
    assert ".. math::" in text and r"\sum_{\mu}" in text
    assert r"a \|bar\| and word\_ here" in text
    assert "Book equation: :hopcore-eq:`snr-perr`" in text


def _build(tmp_path, files):
    from sphinx.application import Sphinx

    src = tmp_path / "src"
    src.mkdir()
    for name, text in files.items():
        (src / name).write_text(textwrap.dedent(text))
    app = Sphinx(str(src), str(src), str(tmp_path / "html"), str(tmp_path / "doctrees"), "html",
                 status=None, warning=None, freshenv=True)
    app.build()
    return tmp_path / "html"


def test_numbers_restart_in_every_page_and_links_follow(tmp_path):
    html = _build(tmp_path, {
        "conf.py": """
            extensions = ["myst_parser", "hopcore.book.sphinxext"]
            myst_enable_extensions = ["dollarmath", "amsmath"]
            numfig = True
            math_numfig = True
            math_eqref_format = "({number})"
            """,
        "index.md": """
            # Book

            ```{toctree}
            a
            b
            ```
            """,
        "a.md": """
            # A

            $$ x = 1 $$ (a-one)

            $$ y = 2 $$ (a-two)
            """,
        "b.md": """
            # B

            $$ z = 3 $$ (b-one)

            Own {eq}`b-one`, other page {eq}`a-two`.
            """,
    })
    a, b = (html / "a.html").read_text(), (html / "b.html").read_text()
    assert re.findall(r'class="eqno">\((\d+)\)', a) == ["1", "2"]
    assert re.findall(r'class="eqno">\((\d+)\)', b) == ["1"], "the second page starts again at (1)"
    assert re.search(r'href="#equation-b-one"[^>]*>\(1\)', b)
    assert re.search(r'href="a.html#equation-a-two"[^>]*>\(2\)', b)
