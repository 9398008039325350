# from apache/hamilton tests/resources/dummy_functions_module_override.py
"""
Module for a dummy function with the same name
to test graph override things with.
"""


def B(A: int) -> int:
    """Function that should override function B."""
    return A * A
