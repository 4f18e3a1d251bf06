"""What waits for the admins: each moderation queue with how many rows are in it, for the admin index."""

from dataclasses import dataclass

from django.urls import reverse

from postings.models import JobPosting
from trainers.models import PaySurvey, VerificationDocument

QUEUES = (
    (JobPosting, "Postings in review", "postings.change_jobposting"),
    (PaySurvey, "Flagged surveys to review", "trainers.change_paysurvey"),
    (VerificationDocument, "Documents to verify", "trainers.review_verificationdocument"),
)


@dataclass(frozen=True)
class Queue:
    label: str
    count: int
    url: str


def moderation_queues(user) -> list[Queue]:
    """The queues this admin may work on, with their counts; each URL opens the changelist filtered to the queue
    (``benchmarks.admin_tools.PendingReviewFilter``)."""
    queues = []
    for model, label, permission in QUEUES:
        opts = model._meta
        if user.has_perm(permission):
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist") + "?queue=pending"
            queues.append(Queue(label=label, count=model.objects.pending_review().count(), url=url))
    return queues
