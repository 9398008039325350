"""Run: plan a run against the cache, execute it through Hamilton on an engine, and remember
what it did. ``run.hamilton`` is the only module that touches Hamilton's internals."""
