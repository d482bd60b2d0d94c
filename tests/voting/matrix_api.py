"""Rows of tests/permission_matrix.py for the voting JSON API (voting-api): URL name ->
(kwargs or a function making them, {role: expected}); see that module for the cell values.

The API answers JSON, never a redirect: 401 when nobody is signed in. The ballot of a
Pasto (52001) cycle whose vote is open: the matrix's "citizen" lives in Pasto but has
not declared a territory (409, asked to choose one); the others have no citizen
identity (403, not eligible). Casting is POST only: a GET is 405 for anybody, signed in
or not (the method is checked first). Statuses of the POST itself, each refusal and
CSRF are in tests/voting/test_api.py. Imports happen inside the functions: this module
is read before Django is set up.
"""

BALLOT = {"anonymous": 401, "user": 403, "citizen": 409, "staff": 403, "staff_mfa": 403}
POST_ONLY = dict.fromkeys(["anonymous", "user", "citizen", "staff", "staff_mfa"], 405)


def a_cycle_voting_now():
    from tests.voting.factories import voting_cycle

    return {"cycle_pk": voting_cycle("52001").pk}


ROWS: dict = {
    "voting-api:ballot": (a_cycle_voting_now, BALLOT),
    "voting-api:cast": (a_cycle_voting_now, POST_ONLY),
}
