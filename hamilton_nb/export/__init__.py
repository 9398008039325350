"""Export: a session as a plain Hamilton module (``render``), written safely (``files``), with
regression tests (``regression``); notebooks read from disk and replayed (``replay``)."""
