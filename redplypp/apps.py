from django.apps import AppConfig


class RedplyppConfig(AppConfig):
    """The project package as an app: shared template tags, the home page, deployment checks."""

    name = "redplypp"
    verbose_name = "Red PLyPP"

    def ready(self) -> None:
        from redplypp import checks  # noqa: F401 (registers the checks)
