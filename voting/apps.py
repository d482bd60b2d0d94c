from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "voting"
    verbose_name = _("Voting")

    def ready(self) -> None:
        # Registers the followers of the close-voting step (sealing, counting).
        import voting.counting
        import voting.services

        # Runs, with no broker, what a request queued for after its response.
        import voting.tasks  # noqa: F401
