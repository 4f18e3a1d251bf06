"""Visibility rules for postings and applications."""

from django.db import models

from .choices import PostingStatus


class JobPostingQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=PostingStatus.PUBLISHED)

    def for_company(self, company):
        return self.filter(company=company)

    def for_user(self, user):
        """Postings a person may manage: those of the companies they belong to (admins: all)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(company__memberships__user=user)

    def visible_to(self, user):
        """Postings a person may read: every published one, plus those they manage."""
        if not user.is_authenticated:
            return self.published()
        if user.is_staff:
            return self
        return self.filter(
            models.Q(status=PostingStatus.PUBLISHED) | models.Q(company__memberships__user=user)
        ).distinct()

    def readable_by(self, user):
        """Postings a person may open at their address: those visible to them, and every one that was published
        and has ended (closed or expired), so that a link to it never breaks. Lists show only ``visible_to``."""
        return self.filter(pk__in=self.visible_to(user).values("pk")) | self.filter(status__in=PostingStatus.ended())

    def pending_review(self):
        return self.filter(status=PostingStatus.IN_REVIEW)


class ApplicationQuerySet(models.QuerySet):
    def for_company(self, company):
        return self.filter(posting__company=company)
