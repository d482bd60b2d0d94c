"""Rows of tests/permission_matrix.py for the proposal URLs of this part: URL name ->
(kwargs or a function making them, {role: expected}); see that module for the cell values."""

ROWS: dict = {}
