"""Visibility rules for trainers' data: a survey is seen by the trainer who filed it and by admins."""

from django.db import models

from .choices import DocumentStatus, SurveyStatus


class PaySurveyQuerySet(models.QuerySet):
    def pending_review(self):
        return self.filter(status=SurveyStatus.FLAGGED)


class VerificationDocumentQuerySet(models.QuerySet):
    def pending_review(self):
        return self.filter(status=DocumentStatus.PENDING)
