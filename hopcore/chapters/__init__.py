"""The chapters of the book, one module each (the top layer: it uses the science library and the
book machinery, nothing imports it but the registry).

A chapter module defines ``SPEC`` (:class:`hopcore.book.spec.Chapter`: parameters per profile and
their checks), ``compute(p)`` returning the chapter's result (labelled arrays, the summary and the
claims), and one ``figure_*`` function per figure that takes the result and returns the figure. Its
notebook in ``book/`` only calls them, glues the numbers and holds the prose. See CONTRIBUTING.md
for how to add a chapter.
"""
