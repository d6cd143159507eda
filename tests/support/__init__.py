"""Helpers shared by the tests: loopback servers, CLI runners, stored-site builders, report data.

Importable as `support.*` (pytest puts tests/ on sys.path); fixtures that wrap them live in conftest.py.
"""
