"""Session: the coordinator of one live module (``session``) and the cell transaction that
applies a ``%%dataflow`` cell to it as one atomic step (``transaction``)."""
