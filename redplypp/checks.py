from typing import Any

from django.core.checks import Error, register

from redplypp.configuration import HINT, missing_configuration


@register(deploy=True)
def configuration_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """`check --deploy` fails when a serving process would refuse to start."""
    return [Error(f"{name} is not set.", hint=HINT, id="redplypp.E001") for name in missing_configuration()]
