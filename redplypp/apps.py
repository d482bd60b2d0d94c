from django.apps import AppConfig


class RedplyppConfig(AppConfig):
    """The project package as an app: it holds shared template tags and the home page."""

    name = "redplypp"
    verbose_name = "Red PLyPP"
