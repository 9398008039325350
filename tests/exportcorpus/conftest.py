"""Modules copied from Hamilton's tests, exported by tests/test_scopes.py: data, not tests."""

collect_ignore_glob = ["*.py"]
