"""`check --deploy` warns when e-mails (ballot confirmations with their receipt codes) would be printed."""

from redplypp.checks import email_check


def test_console_email_outside_debug_is_a_deploy_warning(settings):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert [w.id for w in email_check()] == ["redplypp.W001"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert email_check() == []
