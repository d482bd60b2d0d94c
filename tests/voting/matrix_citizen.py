"""Rows of tests/permission_matrix.py for the citizen's ballot URLs (see that module for the
cell values). The matrix's people are not eligible in this cycle (the citizen lives in
Pasto, the cycle is Medellín's): the ballot and replace pages answer 200 with the reason.
Eligible voters, each refusal and each ballot type are in tests/voting/test_ballot_views.py.
Imports happen inside the functions: this module is read before Django is set up.
"""

SIGNED_IN = {"anonymous": "login", **dict.fromkeys(["user", "citizen", "staff", "staff_mfa"], 200)}
POST_ONLY_SIGNED_IN = {"anonymous": "login", **dict.fromkeys(["user", "citizen", "staff", "staff_mfa"], 405)}
EVERYBODY = dict.fromkeys(["anonymous", "user", "citizen", "staff", "staff_mfa"], 200)


def a_voting_cycle():
    from tests.voting.factories import voting_cycle

    return {"cycle_pk": voting_cycle().pk}


ROWS: dict = {
    "voting:ballot": (a_voting_cycle, SIGNED_IN),
    "voting:ballot-basket": (a_voting_cycle, POST_ONLY_SIGNED_IN),
    "voting:territory-declare": (a_voting_cycle, POST_ONLY_SIGNED_IN),
    "voting:ballot-replace": (a_voting_cycle, SIGNED_IN),
    "voting:receipt-check": ({}, EVERYBODY),
}
