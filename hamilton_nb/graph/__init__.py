"""Graph: the incremental graph of a live module (``graph``), the records it holds (``model``),
validation of a change (``validate``) and graph algorithms over a read-only view (``walks``)."""
