from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from redplypp.configuration import HINT, missing_configuration


@register(deploy=True)
def configuration_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """`check --deploy` fails when a serving process would refuse to start."""
    return [Error(f"{name} is not set.", hint=HINT, id="redplypp.E001") for name in missing_configuration()]


@register(deploy=True)
def email_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The console back-end prints every e-mail, ballot confirmations and their receipt
    codes included, to the process's output: fine on a laptop, not where logs are kept."""
    if settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend" and not settings.DEBUG:
        return [
            Warning(
                "E-mails are printed to the console (DJANGO_EMAIL_BACKEND is not set).",
                hint="Set DJANGO_EMAIL_BACKEND and EMAIL_HOST: ballot confirmations carry receipt codes.",
                id="redplypp.W001",
            )
        ]
    return []
