"""Identifier types shared by the core modules."""

from __future__ import annotations

from typing import NewType

CellId = NewType("CellId", str)
NodeName = NewType("NodeName", str)
