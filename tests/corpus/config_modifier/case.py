"""``@config.when``: four versions of one node, picked by config."""

from tests.corpus import Edit

CONFIG = {"fn_1_version": 2}
EDITS = [
    Edit("chosen-version", 2, 'return "version_2"', 'return "version two"', ("fn",)),
    Edit("its-parameter", 1, 'return "dummy"', 'return "smart"', ("new_param",)),
]
