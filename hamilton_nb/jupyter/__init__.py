"""Jupyter: the thin adapters users touch: magics, the DAG widget, the server endpoint, the CLI,
and the registry of sessions they share."""
