"""Sphinx extension of the book: a parallel build (``sphinx-build -j 2``), numbering that restarts in
every chapter, docstrings that read as mathematics in the API reference, and the PDF of the book
offered for download next to the HTML.

Docstrings. The science library writes formulas in plain text (``E_z |a z + b|``, ``xi_i^mu``,
``alpha_D``). In the API reference:

- an indented block after a blank line is a displayed formula: :func:`plain_to_tex` rewrites it in
  TeX (Greek names, sub- and superscripts, ``sum_mu``, ``sqrt(...)``, ``!=``, ``->``...) and it is
  shown as a ``math`` block; a block the converter does not recognize is shown as typed (a literal
  block) rather than as broken TeX;
- ``Book equation: <label>`` becomes a link to that equation, with its number and the title of the
  chapter that derives it;
- elsewhere, ``|`` and a trailing ``_`` are escaped (reStructuredText would read ``|...|`` as a
  substitution and ``word_`` as a link), so prose formulas appear as typed.

Numbering. With ``numfig`` and ``math_numfig`` and a toctree without section numbers, Sphinx numbers
figures, tables and equations with one counter for the whole book (the first equation of the
second chapter is (4)). :func:`_number_per_document` runs after Sphinx has assigned the numbers and
restarts them at 1 in every page, so each chapter has its Figure 1 and its equation (1);
``{eq}``/``{numref}`` references, in the same page or from another one, show the new numbers.

PDF. ``make pdf`` writes ``_build/pdf/hopcore-book.pdf``. When that file exists, the HTML build
copies it next to ``index.html`` and every page's header gets a download button for it. In the LaTeX
build the book's MathJax macros are defined, and code cells collapsed on the page print their outputs
only.

Parallel build: two extensions the book loads declare nothing about parallel builds, so Sphinx
assumes the worst and falls back to a serial build (and warns, which the strict build treats as an
error):

- ``sphinx_multitoc_numbering``, loaded unconditionally by ``sphinx_external_toc``: it only
  renumbers sections across several toctrees after every page has been read, in the main process,
  and the book's toctrees are not numbered;
- ``sphinx-mathjax-offline``: it sets ``mathjax_path`` and copies MathJax into ``_static`` once the
  build has finished, in the main process.

Neither touches per-page state, so we record that they are safe, and Sphinx reads and writes the
pages with two workers. The notebooks are not executed by Sphinx: ``make book`` first runs
:mod:`hopcore.book.execute`, which executes them two at a time (``JOBS``), longest chapter first and
the scorecard last, and stores each in the jupyter-cache that myst-nb reads
(``execute_notebooks: cache``), so the workers only render. Any other undeclared extension keeps
Sphinx's default (serial, with its warning).
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes

SAFE_UNDECLARED = ("sphinx_multitoc_numbering", "sphinx-mathjax-offline")
PDF_NAME = "hopcore-book.pdf"


def _declare_safe(app, config):
    for name in SAFE_UNDECLARED:
        ext = app.extensions.get(name)
        if ext is None:
            continue
        if ext.parallel_read_safe is None:
            ext.parallel_read_safe = True
        if ext.parallel_write_safe is None:
            ext.parallel_write_safe = True


# ---------------------------------------------------------------------------------------------
# numbering per page


def _number_per_document(app, env):
    """Restart figure, table and equation numbers at 1 in every page (after Sphinx assigned them).

    Numbers that carry a section prefix (a numbered toctree, ``numfig_secnum_depth``) are already
    per chapter and are left alone; only the book-wide single counter is replaced.
    """
    for figtypes in env.toc_fignumbers.values():
        for figtype, numbers in figtypes.items():
            if not numbers or any(len(n) != 1 for n in numbers.values()):
                continue
            ordered = sorted(numbers, key=lambda node_id: numbers[node_id])
            figtypes[figtype] = {node_id: (k,) for k, node_id in enumerate(ordered, start=1)}
    return []


# ---------------------------------------------------------------------------------------------
# "Book equation: <label>" in docstrings


class book_equation(nodes.Inline, nodes.TextElement):
    """A docstring's ``Book equation: <label>``, resolved into a link once every page is read."""


def _book_equation_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    labels = [t.strip() for t in text.split(",") if t.strip()]
    return [book_equation(rawtext, ", ".join(labels), labels=labels)], []


def _resolve_book_equations(app, doctree, fromdocname):
    from sphinx.util.nodes import make_refnode

    env = app.env
    math = env.get_domain("math")
    for node in list(doctree.findall(book_equation)):
        out = []
        for k, label in enumerate(node["labels"]):
            if k:
                out.append(nodes.Text("; "))
            found = math.equations.get(label)
            ref = math.resolve_xref(env, fromdocname, app.builder, "numref", label, node,
                                    nodes.Text(label)) if found else None
            if ref is None:  # a label no page defines: shown as typed
                out.append(nodes.literal(label, label))
                continue
            docname = found[0]
            title = env.titles[docname].astext() if docname in env.titles else docname
            out += [ref, nodes.Text(" in "),
                    make_refnode(app.builder, fromdocname, docname, "", nodes.emphasis(title, title))]
        node.replace_self(out)


_BOOK_EQUATION = re.compile(r"^(\s*)Book equations?:\s*(\S.*?)\s*$")


# ---------------------------------------------------------------------------------------------
# plain-text formulas to TeX

GREEK = {name: "\\" + name for name in (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon "
    "phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega varepsilon vartheta varphi").split()}
GREEK["lam"] = r"\lambda"
# the book's notation for the random-features order parameters (the MathJax macros of _config.yml)
SYMBOLS = {"dq": r"\delta q", "qh": r"\hat{q}", "dp": r"\delta p", "dph": r"\delta\hat{p}", "pd": r"p_d",
           "dpdh": r"\delta\hat{p}_d", "mh": r"\hat{m}", "inf": r"\infty", "infinity": r"\infty"}
FUNCTIONS = {"sum": r"\sum", "prod": r"\prod", "log": r"\log", "ln": r"\ln", "exp": r"\exp", "max": r"\max",
             "min": r"\min", "tanh": r"\tanh", "cosh": r"\cosh", "sinh": r"\sinh", "det": r"\det",
             "erf": r"\operatorname{erf}", "erfc": r"\operatorname{erfc}", "softmax": r"\operatorname{softmax}",
             "sign": r"\operatorname{sign}", "diag": r"\operatorname{diag}", "popcount": r"\operatorname{popcount}",
             "argmax": r"\operatorname{argmax}", "E": r"\mathbb{E}"}
SUB_WORDS = {"lin", "max", "min", "new", "odds", "lb", "ub", "eff", "tot", "old", "err", "th", "sp"}
OPERATORS = [("!=", r"\neq "), ("->", r"\to "), (">>", r"\gg "), ("<<", r"\ll "), ("<=", r"\le "),
             (">=", r"\ge "), ("+-", r"\pm "), ("...", r"\dots "), ("~", r"\sim "), ("&", r"\wedge "),
             ("*", r"\, ")]
_TOKEN = re.compile(r"(?P<num>\d+(?:\.\d+)?)|(?P<word>[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*)|(?P<space>\s+)|"
                    r"(?P<op>!=|->|>>|<<|<=|>=|\+-|\.\.\.)|(?P<ch>.)")
_ALLOWED = set("+-=/()[]{}|,.;:<>^_'!~&*")


class NotAFormula(ValueError):
    """The text is not in the plain-text formula conventions of the docstrings."""


def _index_run(text: str) -> str:
    """A subscript without underscores: ``kk`` -> ``kk``, ``imu`` -> ``i\\mu``, ``lin`` -> ``\\mathrm{lin}``."""
    if text.isdigit() or len(text) == 1:
        return text
    if text in GREEK:
        return GREEK[text]
    if text in SUB_WORDS or len(text) > 3:
        return r"\mathrm{%s}" % text
    out, rest = [], text
    while rest:
        for name in sorted(GREEK, key=len, reverse=True):
            if rest.startswith(name) and len(name) > 1:
                out.append(GREEK[name] + " ")
                rest = rest[len(name):]
                break
        else:
            out.append(rest[0])
            rest = rest[1:]
    return "".join(out).strip()


def _word(word: str) -> str:
    """One identifier: ``alpha_D`` -> ``\\alpha_D``, ``xi_i`` -> ``\\xi_i``, ``kappa1`` -> ``\\kappa_1``."""
    base, *subs = word.split("_")
    m = re.fullmatch(r"([A-Za-z]+?)(\d+)", base)
    if m and (m.group(1) in GREEK or len(m.group(1)) == 1):
        base, subs = m.group(1), [m.group(2)] + subs
    if base in FUNCTIONS and any(len(s) > 1 and s not in GREEK and not s.isdigit() for s in subs):
        return r"\mathrm{%s}" % word.replace("_", r"\_")
    if base == "E" and not subs:
        tex = "E"  # an energy E(x); the average is E_z or E[...]
    elif base in GREEK:
        tex = GREEK[base]
    elif base in SYMBOLS:
        tex = SYMBOLS[base]
    elif base in FUNCTIONS:
        tex = FUNCTIONS[base]
    elif len(base) == 1:
        tex = base
    elif base.isupper() and len(base) <= 4:
        tex = r"\mathrm{%s}" % base
    else:
        tex = r"\mathrm{%s}" % base
    if not subs:
        return tex
    sub = ",".join(_index_run(s) for s in subs)
    if "_" in tex.split("}")[-1]:  # a symbol that carries its own subscript (p_d): group it
        tex = "{%s}" % tex
    return f"{tex}_{{{sub}}}" if len(sub) > 1 else f"{tex}_{sub}"


def _is_prose(word: str) -> bool:
    return (len(word) >= 3 and word.isalpha() and word.islower() and word not in GREEK and word not in SYMBOLS
            and word not in FUNCTIONS and word not in ("in", "not"))


def _convert(text: str) -> str:
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text)]
    out: list[str] = []
    k = 0
    while k < len(tokens):
        kind, tok = tokens[k]
        if kind == "word":
            # a run of two or more plain English words is text ("G = standard normal density")
            j, words = k, []
            while j < len(tokens) and tokens[j][0] == "word" and _is_prose(tokens[j][1]):
                words.append(tokens[j][1])
                if j + 2 < len(tokens) and tokens[j + 1] == ("space", " ") and tokens[j + 2][0] == "word" \
                        and _is_prose(tokens[j + 2][1]):
                    j += 2
                else:
                    j += 1
                    break
            if len(words) >= 2:
                out.append(r"\text{%s}" % " ".join(words))
                k = j
                continue
            if tok == "not" and k + 2 < len(tokens) and tokens[k + 2] == ("word", "in"):
                out.append(r"\notin ")
                k += 3
                continue
            if out and out[-1] in ("_", "^") and "_" not in tok:
                out.append("{%s}" % _index_run(tok))  # (F G)_il
            elif tok == "E" and k + 1 < len(tokens) and tokens[k + 1] == ("ch", "["):
                out.append(r"\mathbb{E}")
            elif tok == "in":
                out.append(r"\in ")
            elif tok == "sqrt":
                # sqrt(...) or sqrt 2: the argument under the root
                nxt = k + 1
                if nxt < len(tokens) and tokens[nxt] == ("ch", "("):
                    depth, j = 0, nxt
                    while j < len(tokens):
                        depth += {"(": 1, ")": -1}.get(tokens[j][1], 0) if tokens[j][0] == "ch" else 0
                        if depth == 0:
                            break
                        j += 1
                    if j == len(tokens):
                        raise NotAFormula(text)
                    inner = "".join(t for _, t in tokens[nxt + 1:j])
                    out.append(r"\sqrt{%s}" % _convert(inner))
                    k = j + 1
                    continue
                if nxt + 1 < len(tokens) and tokens[nxt][0] == "space" and tokens[nxt + 1][0] in ("num", "word"):
                    out.append(r"\sqrt{%s}" % _convert(tokens[nxt + 1][1]))
                    k = nxt + 2
                    continue
                out.append(r"\sqrt")
            else:
                out.append(_word(tok) + " ")
        elif kind == "num":
            out.append(tok)
        elif kind == "space":
            out.append(r"\quad " if len(tok) >= 2 and out and out[-1].rstrip().endswith((",", ";")) else " ")
        elif kind == "op":
            out.append(dict(OPERATORS)[tok])
        elif tok == "." and k and k + 1 < len(tokens) and tokens[k - 1][0] in ("word", "ch") \
                and tokens[k + 1][0] == "word" and tokens[k - 1][1] not in "([{,":
            out.append(r" \cdot ")  # x.xi: a scalar product
        elif tok in ("{", "}"):
            out.append(tok)
        elif tok in dict(OPERATORS):
            out.append(dict(OPERATORS)[tok])
        elif tok in _ALLOWED:
            out.append(tok)
        else:
            raise NotAFormula(text)
        k += 1
    tex = re.sub(r"[ ]+", " ", "".join(out)).strip()
    tex = re.sub(r" ([_^])", r"\1", tex)
    return tex


_COMMENT = re.compile(r"^(?P<formula>.*?\S)\s{2,}\((?P<comment>[^()]*(?:\([^()]*\)[^()]*)*)\)\s*(?P<end>[.,;]?)$")
_LABEL = re.compile(r"^(?P<label>[A-Za-z][A-Za-z ]*[A-Za-z]):\s+(?P<rest>\S.*)$")


def _line_to_tex(line: str) -> str:
    label = ""
    m = _LABEL.match(line)
    if m and len(m.group("label").split()) <= 4:
        label, line = r"\text{%s:}\ " % m.group("label"), m.group("rest")
    comment = ""
    m = _COMMENT.match(line)
    if m and " " in m.group("comment").strip() and any(_is_prose(w) for w in re.findall(r"[A-Za-z]+", m.group("comment"))):
        comment = r"\qquad" + _mixed("(" + m.group("comment") + ")")
        line = m.group("formula") + m.group("end")
    if any(ch in line for ch in '"\\$#%`@'):
        raise NotAFormula(line)
    return label + _convert(line) + comment


def _mixed(text: str) -> str:
    """A comment: runs of words as text, symbols (``s_i``, ``-P``) as math."""
    if any(ch in text for ch in "\\$#%`@{}"):
        raise NotAFormula(text)
    text = re.sub(r'"([^"]*)"', "\u201c\\1\u201d", text)  # typographic quotes in the text
    out, words = [], []
    for piece in text.split(" "):
        core = piece.strip("(),.;:\u201c\u201d")
        if core and (core.isalpha() and (len(core) > 1 or core in "a") or core.isdigit()) and core not in GREEK:
            words.append(piece)
            continue
        if words:
            out.append(r"\text{%s }" % " ".join(words))
            words = []
        lead = re.match(r"^[(\u201c]*", piece).group()
        trail = re.search(r"[)\u201d.,;:]*$", piece).group()
        body = piece[len(lead):len(piece) - len(trail)]
        out.append((r"\text{%s}" % lead if lead else "") + _convert(body) + (r"\text{ %s}" % trail if trail else r"\ "))
    if words:
        out.append(r"\text{%s}" % " ".join(words))
    return "".join(out)


def plain_to_tex(block: list[str]) -> str:
    """A displayed formula of a docstring (one or more lines, plain text) as TeX.

    The conventions of hopcore's docstrings: Greek letters by name (``lam`` for lambda), ``_`` and
    ``^`` for indices (``xi_i^mu``, ``sum_{mu != nu}``), ``x.y`` for a scalar product, ``E_z`` or
    ``E[...]`` for an average, ``+-``, ``!=``, ``->``, ``>>``, ``~``; a trailing ``(comment)`` set
    off by two spaces and a leading ``label:`` are set as text. Several lines are aligned at their
    first ``=``.

    Parameters
    ----------
    block : list of str
        The lines of the formula (indentation is ignored; an indented line continues the line above).

    Returns
    -------
    str
        The TeX of a display, lines separated by ``\\\\``.

    Raises
    ------
    NotAFormula
        When a line holds something the conventions do not cover (quotes, backslashes, ``$``...).
    """
    lines = [ln.strip() for ln in block if ln.strip()]
    if not lines:
        raise NotAFormula("\n".join(block))
    tex = [_line_to_tex(ln) for ln in lines]
    if any(t.count("{") != t.count("}") for t in tex):
        raise NotAFormula("\n".join(block))
    if len(tex) == 1:
        return tex[0]
    aligned = []
    for t in tex:
        i = t.find("=")
        aligned.append(t[:i] + "&" + t[i:] if i > 0 and not t.startswith(r"\text") else "&" + t
                       if i < 0 else t[:i] + "&" + t[i:])
    return " \\\\\n".join(aligned)


# ---------------------------------------------------------------------------------------------
# docstrings

_LITERAL = re.compile(r"(``.*?``|`[^`]*`_?)")
_LINK_END = re.compile(r"(?<=\w)_(?=[\s,.;:)\]]|$)")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _docstring_formulas(app, what, name, obj, options, lines):
    """Displayed formulas as math, ``Book equation:`` lines as links, other formulas as typed."""
    out: list[str] = []
    in_math: set[int] = set()  # indices in ``out`` of lines that are TeX (not to be escaped)
    k = 0
    while k < len(lines):
        line = lines[k]
        m = _BOOK_EQUATION.match(line)
        if m:
            out.append(f"{m.group(1)}Book equation: :hopcore-eq:`{m.group(2)}`")
            in_math.add(len(out) - 1)
            k += 1
            continue
        before = out[-1] if out else ""
        if (k + 1 < len(lines) and not line.strip() and before.strip() and lines[k + 1].strip()
                and _indent(lines[k + 1]) > _indent(before) and not before.rstrip().endswith("::")
                and not before.lstrip().startswith(("..", ":"))):
            j, block = k + 1, []
            while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > _indent(before)):
                block.append(lines[j])
                j += 1
            while block and not block[-1].strip():
                block.pop()
            pad = " " * _indent(before)
            try:
                tex = plain_to_tex(block).splitlines()
            except NotAFormula:  # shown as typed
                out[-1] = before.rstrip() + " ::"
                out.append("")
                out += block + [""]
                in_math.update(range(len(out) - len(block) - 1, len(out)))
            else:
                out += ["", f"{pad}.. math::", ""] + [f"{pad}   {t}" for t in tex] + [""]
                in_math.update(range(len(out) - len(tex) - 4, len(out)))
            k = j
            continue
        out.append(line)
        k += 1
    for i, line in enumerate(out):
        if i in in_math:
            continue
        parts = _LITERAL.split(line)
        for j in range(0, len(parts), 2):  # even parts are outside inline literals and roles
            parts[j] = _LINK_END.sub(r"\_", parts[j].replace("|", r"\|"))
        out[i] = "".join(parts)
    lines[:] = out


# ---------------------------------------------------------------------------------------------
# the PDF next to the HTML


def _pdf_path(app) -> Path:
    return Path(app.confdir) / "_build" / "pdf" / PDF_NAME


def _offer_pdf(app):
    if app.builder.format != "html" or not _pdf_path(app).exists():
        return
    folder = str(_pdf_path(app).parent)
    if folder not in app.config.html_extra_path:
        app.config.html_extra_path.append(folder)


def _pdf_button(app, pagename, templatename, context, doctree):
    if app.builder.format != "html" or not _pdf_path(app).exists() or "header_buttons" not in context:
        return
    context["header_buttons"].append({
        "type": "link",
        "url": context["pathto"](PDF_NAME, 1),
        "tooltip": "Download the whole book as one PDF",
        "icon": "fas fa-file-pdf",
        "label": "pdf-book-button",
    })


# ---------------------------------------------------------------------------------------------
# LaTeX: the MathJax macros of _config.yml


def _latex_document(app):
    """One LaTeX document for the whole book, ``hopcore-book.tex`` (``make pdf`` compiles it).

    Set once the builder starts: the root document is only known after ``sphinx_external_toc`` has
    read _toc.yml.
    """
    if app.builder.format != "latex":
        return
    config = app.config
    title = config.html_title or config.project
    config.latex_documents = [(config.root_doc, PDF_NAME.replace(".pdf", ".tex"), title, config.author, "manual")]
    elements = {"papersize": "a4paper", "figure_align": "H"}  # a figure stays next to the text on it
    elements.update(config.latex_elements or {})
    config.latex_elements = elements
    app.builder.context.update(elements)  # the builder read latex_elements before this event
    config.latex_use_xindy = False  # the index by makeindex (TeX Live's base), not xindy (another package)
    app.builder.context["use_xindy"] = False


def _collapsed_code_out_of_print(app, doctree, docname):
    """In the PDF, code cells collapsed on the page (``hide-input``, ``hide-cell``) show their outputs only."""
    if app.builder.format != "latex":
        return
    for cell in list(doctree.findall(nodes.container)):
        if not {"tag_hide-input", "tag_hide-cell"} & set(cell.get("classes", [])):
            continue
        for child in list(cell.children):
            if isinstance(child, nodes.container) and "cell_input" in child.get("classes", []):
                cell.remove(child)


def _latex_macros(app):
    """Define the book's MathJax macros (``\\aD``, ``\\xib``, ``\\E``...) for the LaTeX build too."""
    if app.builder.format != "latex":
        return
    macros = ((app.config.mathjax3_config or {}).get("tex") or {}).get("macros") or {}
    defs = []
    for name, body in macros.items():
        body = body[0] if isinstance(body, (list, tuple)) else body
        defs.append(rf"\providecommand{{\{name}}}{{}}\renewcommand{{\{name}}}{{{body}}}")
    preamble = app.builder.context.get("preamble", "")
    if defs:
        preamble += "\n\\usepackage{amssymb}\n" + "\n".join(defs) + "\n"
    # citations in figure captions: the caption is a moving argument, the citation's link must not break
    preamble += "\\usepackage{etoolbox}\n\\AtBeginDocument{\\robustify\\DUrole\\robustify\\hyperlink}\n"
    app.builder.context["preamble"] = preamble  # the builder read latex_elements before this event


def setup(app):
    """Register the extension: parallel-safe declarations, per-page numbering, docstring math, PDF button.

    Parameters
    ----------
    app : sphinx.application.Sphinx
        The Sphinx application.

    Returns
    -------
    dict
        Extension metadata (version, parallel read and write safe).
    """
    app.connect("config-inited", _declare_safe)
    app.setup_extension("sphinx.ext.autodoc")
    app.connect("autodoc-process-docstring", _docstring_formulas)
    app.add_node(book_equation)
    app.add_role("hopcore-eq", _book_equation_role)
    app.connect("doctree-resolved", _resolve_book_equations)
    app.connect("doctree-resolved", _collapsed_code_out_of_print)
    # after the toctree collector (priority 500) has assigned the book-wide numbers
    app.connect("env-get-updated", _number_per_document, priority=900)
    app.connect("builder-inited", _offer_pdf)
    app.connect("builder-inited", _latex_document)
    app.connect("builder-inited", _latex_macros)
    app.connect("html-page-context", _pdf_button, priority=900)
    return {"version": "1.1", "parallel_read_safe": True, "parallel_write_safe": True}
