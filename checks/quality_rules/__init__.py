"""Record-quality rules used by ``checks.quality``: one module per kind of defect.

Each module holds pure functions over one text (or one chat) that return what
is wrong, or nothing; the check in ``checks/quality.py`` runs them in one pass
and turns the results into findings.
"""
