"""Analysis: a cell's source -> frozen records (definitions, what each reads, digests), and the
index of which module-level name reads which. Pure: no Hamilton, no IPython."""
