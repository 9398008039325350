"""``@config.when(..., name="fn")``: the version that renames its node."""

from tests.corpus import Edit

SAME_CELLS_AS = "config_modifier"
CONFIG = {"fn_1_version": 3}
EDITS = [Edit("renamed-version", 2, 'return "version_3"', 'return "version three"', ("fn",))]
