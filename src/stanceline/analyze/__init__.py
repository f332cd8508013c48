"""Analyses over stored statements: pure functions from rows (dicts as the store returns them) to results.

Nothing here does I/O; services fetch rows and the pack, these functions compute.
"""
