"""Rows of tests/permission_matrix.py for the voting URLs of this part (see that module)."""

ROWS: dict = {}
