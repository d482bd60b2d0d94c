"""Rows of tests/permission_matrix.py for the polling-station URLs (/mesa/): URL name ->
(kwargs or a function making them, {role: expected}); see that module for the values.

Nobody in that matrix is an officer of a station: "staff_mfa" passes the management gate,
sees an empty list of their stations and is refused a station's pages by
``voting.work_station`` (403). Officer × station cells are in tests/voting/test_station_views.py.
"""

STATION = {"anonymous": "login", "user": 403, "citizen": 403, "staff": "mfa", "staff_mfa": 403}
POST_ONLY = {**STATION, "staff_mfa": 405}


def a_station():
    from tests.voting.factories import station_in, voting_cycle

    return {"station_pk": station_in(voting_cycle(proposals=1)).pk}


ROWS: dict = {
    "voting-station:my-stations": ({}, {**STATION, "staff_mfa": 200}),
    "voting-station:console": (a_station, STATION),
    "voting-station:assisted": (a_station, POST_ONLY),
    "voting-station:paper-key": (a_station, STATION),
}
