"""Sign-up: a person says whether they train AI or hire trainers, and gets a trainer profile or a company.

allauth builds its sign-up form on top of ``SignupForm`` (``ACCOUNT_SIGNUP_FORM_CLASS``) and calls ``signup()`` once
the user is saved; the profile or company is created through the services, like every other write.
"""

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.core.exceptions import PermissionDenied

from portal.client_ip import client_ip
from postings.services import company_create
from trainers.services import trainer_profile_create, trainer_standing_refresh


class Role:
    TRAINER = "trainer"
    COMPANY = "company"
    CHOICES = [(TRAINER, "I train AI"), (COMPANY, "I hire trainers")]


class SignupForm(forms.Form):
    role = forms.ChoiceField(label="How will you use the portal?", choices=Role.CHOICES, widget=forms.RadioSelect)
    name = forms.CharField(label="Your name", max_length=80, help_text="Trainers: the name companies see.")
    company_name = forms.CharField(
        label="Company name", max_length=120, required=False, help_text="Shown on your job postings."
    )

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.COMPANY and not (data.get("company_name") or "").strip():
            self.add_error("company_name", "Enter your company's name: it is shown on your job postings.")
        return data

    def signup(self, request, user) -> None:
        """Called by allauth after the user is saved, inside its sign-up request."""
        name = self.cleaned_data["name"].strip()
        user.first_name = name[:150]
        user.save(update_fields=["first_name"])
        if self.cleaned_data["role"] == Role.COMPANY:
            company_create(name=self.cleaned_data["company_name"].strip(), owner=user)
        else:
            trainer_profile_create(user=user, display_name=name)


def email_confirmed_refresh_standing(sender=None, request=None, email_address=None, **kwargs) -> None:
    """A trainer who confirms an email starts counting toward the suppression thresholds (after the minimum account
    age): their surveys' observations follow."""
    user = getattr(email_address, "user", None)
    if user is not None and hasattr(user, "trainer_profile"):
        trainer_standing_refresh(user=user)


class AccountAdapter(DefaultAccountAdapter):
    """allauth's rate limits and security emails see the client's address as the rest of the portal does."""

    def get_client_ip(self, request) -> str:
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")  # as allauth's own
        return ip
