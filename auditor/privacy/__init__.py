"""Personal data and secrets in text: which kinds a text holds (``pii``), never the values.

One detector for the two places that need it: the quality check flags the
records (QLT009, QLT010), and every report format masks ids by it
(``auditor.report.mask``). It imports nothing of the project, so renderers
use it without importing a check.
"""
