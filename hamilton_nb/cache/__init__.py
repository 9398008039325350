"""Cache: what a cache key is made of (``keys``), how values hash and serialise (``values``),
and where they are kept (``stores``, behind ``NodeCache``)."""
