"""URL patterns of network activities: the public calendar and archive, and their management.

``public_patterns`` are served under /red/ (namespace ``nodes``) and
``manage_patterns`` under /gestion/red/ (namespace ``network-manage``).
"""

from django.urls import URLPattern

public_patterns: list[URLPattern] = []
manage_patterns: list[URLPattern] = []
