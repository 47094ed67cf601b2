"""Sphinx extension: ``{glue:md}`` parses pasted Markdown as MyST by default.

myst-nb parses a pasted ``text/markdown`` value as plain CommonMark unless the role names a format
(``{glue:md}`key:myst```). The book pastes math (``$…$``) and download links (``{download}``) in
its glued values, which only MyST understands, so here a key without a format is read as
``key:myst``. An explicit format is kept.
"""

from myst_nb.ext.glue.domain import NbGlueDomain
from myst_nb.ext.glue.roles import PasteMarkdownRole


class PasteMystRole(PasteMarkdownRole):
    """``{glue:md}`` with MyST as the default format."""

    def run(self):
        if ":" not in self.text:
            self.text = f"{self.text}:myst"
        return super().run()


def setup(app):
    """Register the role in myst-nb's glue domain.

    Parameters
    ----------
    app : sphinx.application.Sphinx
        The Sphinx application.

    Returns
    -------
    dict
        Extension metadata (parallel read and write safe).
    """
    NbGlueDomain.roles = {**NbGlueDomain.roles, "md": PasteMystRole()}
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
