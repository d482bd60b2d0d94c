"""Permission predicates of accounts.

``accounts.access_management`` says whether someone holds a management role
and so may reach management pages (after setting up two-factor
authentication). Here it is support staff; the network registry widens it
with ``rules.set_perm`` to everyone holding a role in some scope.
"""

import rules

holds_management_role = rules.is_staff

rules.add_perm("accounts.access_management", holds_management_role)
