"""Process plumbing every layer may use: errors and exit codes, child processes
and signals, garbage-collector pauses, terminal progress, atomic file writes.

Nothing here knows about records, checks or reports.
"""
