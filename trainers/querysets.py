"""Visibility rules for trainers' data: a survey is seen by the trainer who filed it and by admins."""

from django.db import models

from .choices import SurveyStatus


class PaySurveyQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(trainer__user=user)

    def accepted(self):
        return self.filter(status=SurveyStatus.ACCEPTED)

    def pending_review(self):
        return self.filter(status=SurveyStatus.FLAGGED)
