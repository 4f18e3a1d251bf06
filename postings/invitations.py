"""Team invitations: a company's owner invites a teammate by email; the teammate accepts through the link.

Services in the house style (keyword-only, atomic, ``ServiceError`` on refusal). Accepting adds the membership through
``postings.services.membership_add``, so the rule "only the owner adds members" lives in one place.
"""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from benchmarks.errors import ServiceError

from .choices import MembershipRole
from .models import Company, Invitation, Membership
from .services import membership_add, require_member

INVITATION_LIFETIME = datetime.timedelta(days=14)


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str  # shown once, in the emailed link; only its digest is stored


def token_digest(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def pending_invitations(*, company: Company):
    return Invitation.objects.filter(company=company, accepted_at__isnull=True).select_related("invited_by")


@transaction.atomic
def invitation_create(*, company: Company, email: str, by) -> IssuedInvitation:
    """The owner invites ``email`` as a recruiter. Inviting the same address again renews the pending invitation."""
    require_member(company=company, user=by, owner=True)
    email = (email or "").strip().lower()
    if not email:
        raise ServiceError("Enter the teammate's email address.", field="email")
    if Membership.objects.filter(company=company, user__email__iexact=email).exists():
        raise ServiceError(f"{email} is already a member of {company}.", field="email")
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.select_for_update().filter(company=company, email=email, accepted_at=None).first()
    invitation = invitation or Invitation(company=company, email=email)
    invitation.invited_by = by
    invitation.token_digest = token_digest(token)
    invitation.expires_at = timezone.now() + INVITATION_LIFETIME
    invitation.full_clean(exclude=["token_digest"])
    invitation.save()
    return IssuedInvitation(invitation=invitation, token=token)


def invitation_send(*, issued: IssuedInvitation, accept_url: str) -> None:
    """Email the invitation link. Called by the view, which knows the site's address."""
    invitation = issued.invitation
    inviter = getattr(invitation.invited_by, "email", "") or "The owner"
    send_mail(
        subject=f"Join {invitation.company} on the Trainer Pay Portal",
        message=(
            f"{inviter} invited you to join {invitation.company} as a recruiter.\n\n"
            f"Log in (or sign up) with this email address, then open:\n{accept_url}\n\n"
            f"The link works until {invitation.expires_at:%d %B %Y}."
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )


def invitation_for_token(*, token: str) -> Invitation:
    """The pending invitation a link stands for; raises ``Invitation.DoesNotExist`` for unknown, used or expired links.

    An expired link shows nothing, as a used one: the email said until when it works, and who was invited where stays
    the company's business after that.
    """
    return Invitation.objects.select_related("company", "invited_by").get(
        token_digest=token_digest(token), accepted_at__isnull=True, expires_at__gt=timezone.now()
    )


@transaction.atomic
def invitation_accept(*, token: str, user) -> Membership:
    """The invited person, logged in with the invited email, joins the company as a recruiter."""
    # Locked alone: PostgreSQL refuses FOR UPDATE across the outer join a nullable invited_by would need.
    invitation = (
        Invitation.objects.select_for_update()
        .filter(token_digest=token_digest(token), accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        raise ServiceError("This invitation link is not valid any more; ask for a new one.", code="transition")
    if invitation.expires_at <= timezone.now():
        raise ServiceError("This invitation has expired; ask the owner for a new one.", code="transition")
    if (user.email or "").lower() != invitation.email.lower():
        raise ServiceError(
            f"This invitation is for {invitation.email}; log in with that address to accept it.", code="permission"
        )
    membership = membership_add(
        company=invitation.company, user=user, role=MembershipRole.RECRUITER, by=invitation.invited_by
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by) -> None:
    """The owner withdraws a pending invitation; its link stops working."""
    require_member(company=invitation.company, user=by, owner=True)
    if invitation.accepted_at is not None:
        raise ServiceError("An accepted invitation cannot be revoked; remove the member instead.", code="transition")
    invitation.delete()
