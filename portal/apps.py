from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from allauth.account.signals import email_confirmed

        from .accounts import email_confirmed_refresh_standing

        # allauth tells of a confirmed address only through this signal; the receiver calls one service.
        email_confirmed.connect(email_confirmed_refresh_standing, dispatch_uid="portal-email-confirmed-standing")
