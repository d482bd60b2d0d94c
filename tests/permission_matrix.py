"""Who may open which page: every URL name of the project × every kind of person.

``tests/test_permission_matrix.py`` checks each cell, and fails for a URL that
has no row here: a new page must say who may see it. Later issues add their
roles (coordinator, manager, ...) as columns and their URLs as rows.

Cell values: an HTTP status (200, 403, 404, 405), ``LOGIN`` (redirect to the
login page), ``MFA`` (redirect towards setting up two-factor authentication),
or ``REDIRECT`` (any other redirect, e.g. a flow step that needs a previous step).
"""

LOGIN = "login"
MFA = "mfa"
REDIRECT = "redirect"

ROLES = ["anonymous", "user", "citizen", "staff", "staff_mfa"]


def same(value):
    return dict.fromkeys(ROLES, value)


def public(signed_in=200):
    return {"anonymous": 200, **dict.fromkeys(ROLES[1:], signed_in)}


def signed_in(value=200):
    return {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], value)}


def a_node():
    from tests.nodes.factories import NodeFactory

    return {"slug": NodeFactory().slug}


def a_node_with_a_municipality():
    from nodes.models import NodeMunicipality
    from tests.nodes.factories import NodeFactory, municipality

    node = NodeFactory()
    NodeMunicipality.objects.create(node=node, municipality=municipality("52001"), node_kind=node.kind)
    return {"slug": node.slug, "code": "52001"}


def an_organisation():
    from tests.nodes.factories import OrganisationFactory

    return {"pk": OrganisationFactory().pk}


def a_territory():
    from tests.nodes.factories import TerritoryFactory

    return {"pk": TerritoryFactory().pk}


def a_membership():
    from tests.nodes.factories import MembershipFactory, municipality

    return {"pk": MembershipFactory(role="reviewer", municipality=municipality("52001")).pk}


def _published_activity():
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from nodes.activities import activity_attach, activity_create
    from tests.nodes.factories import MembershipFactory, NodeFactory
    from tests.nodes.test_activities import minimal_pdf

    secretariat = MembershipFactory(role="secretariat").user
    activity = activity_create(
        actor=secretariat, kind="workshop", title="Taller", starts_on=date(2026, 3, 14), nodes=[NodeFactory()]
    )
    upload = SimpleUploadedFile("acta.pdf", minimal_pdf(), content_type="application/pdf")
    return activity, activity_attach(actor=secretariat, activity=activity, upload=upload)


def an_activity():
    return {"pk": _published_activity()[0].pk}


def an_attachment():
    return {"pk": _published_activity()[1].pk}


def manage(staff_mfa=403):
    """Management pages of a scope: people without a role are refused; role x scope cells are
    in tests/nodes/test_manage_views.py and tests/nodes/test_activity_views.py."""
    return {"anonymous": LOGIN, "user": 403, "citizen": 403, "staff": MFA, "staff_mfa": staff_mfa}


# URL name -> (kwargs or a function making them, {role: expected})
MATRIX = {
    "home": ({}, public()),
    "privacy": ({}, public()),
    "set_language": ({}, same(REDIRECT)),  # GET bounces back; the switch itself is a POST
    # allauth: entrance pages send signed-in people on; account pages need a login.
    "account_login": ({}, public(signed_in=REDIRECT)),
    "account_signup": ({}, public(signed_in=REDIRECT)),
    "account_logout": ({}, {"anonymous": REDIRECT, **dict.fromkeys(ROLES[1:], 200)}),
    "account_inactive": ({}, public()),
    "account_reauthenticate": ({}, signed_in()),
    # allauth 65.22: reauthenticating with a code sent by e-mail instead of the password;
    # the confirmation page sends people back to ask for a code when none was sent.
    "account_request_reauthentication_code": ({}, signed_in()),
    "account_confirm_reauthentication_code": ({}, {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], REDIRECT)}),
    "account_email": ({}, signed_in()),
    "account_email_verification_sent": ({}, public()),
    "account_change_password": ({}, signed_in()),
    "account_set_password": ({}, signed_in(REDIRECT)),  # they have a password already
    "account_reset_password": ({}, public()),
    "account_reset_password_done": ({}, public()),
    "account_reset_password_from_key": ({"uidb36": "0", "key": "bad-key"}, public()),  # page says the link is invalid
    "account_reset_password_from_key_done": ({}, public()),
    "account_confirm_login_code": ({}, {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], REDIRECT)}),  # none requested
    "account_confirm_email": ({"key": "bad-key"}, public()),  # page says the link is invalid
    "mfa_index": ({}, signed_in()),
    "mfa_authenticate": ({}, {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], REDIRECT)}),  # only mid-login
    "mfa_reauthenticate": (
        {},
        {"anonymous": LOGIN, "user": REDIRECT, "citizen": REDIRECT, "staff": REDIRECT, "staff_mfa": 200},
    ),
    "mfa_activate_totp": (
        {},
        {"anonymous": LOGIN, "user": REDIRECT, "citizen": REDIRECT, "staff": REDIRECT, "staff_mfa": REDIRECT},
    ),  # asks for the password again first / already active
    "mfa_deactivate_totp": ({}, {"anonymous": LOGIN, "user": 404, "citizen": 404, "staff": 404, "staff_mfa": REDIRECT}),
    "mfa_view_recovery_codes": ({}, signed_in(404)),  # none generated yet
    "mfa_generate_recovery_codes": (
        {},
        {"anonymous": LOGIN, "user": REDIRECT, "citizen": REDIRECT, "staff": REDIRECT, "staff_mfa": REDIRECT},
    ),
    "mfa_download_recovery_codes": ({}, signed_in(404)),
    # The citizen's own data.
    "accounts:profile": ({}, signed_in()),
    "accounts:identity-edit": ({}, signed_in()),
    "accounts:data-export": ({}, signed_in()),
    "accounts:delete": ({}, signed_in()),
    # The network's public directory.
    "nodes:network-home": ({}, public()),
    "nodes:node-list": ({}, public()),
    "nodes:node-detail": (a_node, public()),
    "nodes:municipality-list": ({}, public()),
    "nodes:municipality-detail": ({"code": "52001"}, public()),
    "nodes:organisation-list": ({}, public()),
    "nodes:activity-calendar": ({}, public()),
    "nodes:activity-archive": ({}, public()),
    "nodes:activity-detail": (an_activity, public()),
    "nodes:activity-attachment": (an_attachment, public()),
    # Management: a role, then two-factor authentication.
    "management-home": ({}, manage(staff_mfa=200)),
    "network-manage:dashboard": ({}, manage(staff_mfa=200)),
    "network-manage:node-create": ({}, manage()),
    "network-manage:node-edit": (a_node, manage()),
    "network-manage:node-municipalities": (a_node, manage()),
    "network-manage:node-municipality-add": (a_node, manage()),
    "network-manage:node-municipality-remove": (a_node_with_a_municipality, manage()),
    "network-manage:organisation-list": ({}, manage()),
    "network-manage:organisation-create": ({}, manage()),
    "network-manage:organisation-edit": (an_organisation, manage()),
    "network-manage:municipality-edit": ({"code": "52001"}, manage()),
    "network-manage:territory-list": ({"code": "52001"}, manage()),
    "network-manage:territory-create": ({"code": "52001"}, manage()),
    "network-manage:territory-import": ({"code": "52001"}, manage()),
    "network-manage:territory-edit": (a_territory, manage()),
    "network-manage:territory-move": (a_territory, manage()),
    "network-manage:territory-delete": (a_territory, manage()),
    "network-manage:membership-list": ({}, manage()),
    "network-manage:membership-grant": ({}, manage()),
    "network-manage:membership-revoke": (a_membership, manage()),
    "network-manage:activity-list": ({}, manage()),
    "network-manage:activity-create": ({}, manage()),
    "network-manage:activity-edit": (an_activity, manage()),
    "network-manage:activity-attach": (an_activity, manage()),
    "network-manage:activity-delete": (an_activity, manage()),
    "network-manage:attachment-delete": (an_attachment, manage(staff_mfa=405)),  # the action is POST only
}

# Budget cycles: each part keeps its rows next to its tests.
from tests.cycles.matrix_manage import ROWS as _CYCLES_MANAGE  # noqa: E402
from tests.cycles.matrix_public import ROWS as _CYCLES_PUBLIC  # noqa: E402
from tests.cycles.matrix_records import ROWS as _CYCLES_RECORDS  # noqa: E402

MATRIX.update(_CYCLES_PUBLIC)
MATRIX.update(_CYCLES_MANAGE)
MATRIX.update(_CYCLES_RECORDS)

# Proposals: likewise.
from tests.proposals.matrix_citizen import ROWS as _PROPOSALS_CITIZEN  # noqa: E402
from tests.proposals.matrix_execution import ROWS as _PROPOSALS_EXECUTION  # noqa: E402
from tests.proposals.matrix_manage import ROWS as _PROPOSALS_MANAGE  # noqa: E402
from tests.proposals.matrix_talk import ROWS as _PROPOSALS_TALK  # noqa: E402

for _rows in (_PROPOSALS_CITIZEN, _PROPOSALS_TALK, _PROPOSALS_MANAGE, _PROPOSALS_EXECUTION):
    MATRIX.update(_rows)

# Voting: likewise.
from tests.voting.matrix_api import ROWS as _VOTING_API  # noqa: E402
from tests.voting.matrix_citizen import ROWS as _VOTING_CITIZEN  # noqa: E402
from tests.voting.matrix_manage import ROWS as _VOTING_MANAGE  # noqa: E402
from tests.voting.matrix_station import ROWS as _VOTING_STATION  # noqa: E402

for _rows in (_VOTING_CITIZEN, _VOTING_API, _VOTING_MANAGE, _VOTING_STATION):
    MATRIX.update(_rows)

# The admin is one gate (MFAAdminSite.has_permission) in front of all its URLs:
# every admin URL is covered by this row, checked on the index and a model list.
ADMIN = {"anonymous": LOGIN, "user": 403, "citizen": 403, "staff": MFA, "staff_mfa": 200}
ADMIN_SAMPLES = ["admin:index", "admin:accounts_auditentry_changelist"]
