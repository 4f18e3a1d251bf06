from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from allauth.account.signals import email_confirmed
        from django.contrib.auth.signals import user_logged_in

        from .accounts import email_confirmed_refresh_standing
        from .currency import currency_restore

        # allauth tells of a confirmed address only through this signal; the receiver calls one service.
        email_confirmed.connect(email_confirmed_refresh_standing, dispatch_uid="portal-email-confirmed-standing")
        # The person's display currency follows them to every device they sign in on.
        user_logged_in.connect(currency_restore, dispatch_uid="portal-currency-restore")
