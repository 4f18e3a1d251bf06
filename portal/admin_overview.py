"""What waits for the admins: each moderation queue with how many rows are in it, for the admin index."""

from dataclasses import dataclass

from django.urls import reverse

from postings.models import JobPosting
from trainers.models import PaySurvey


@dataclass(frozen=True)
class Queue:
    label: str
    count: int
    url: str


def moderation_queues(user) -> list[Queue]:
    """The queues this admin may work on, with their counts; each URL opens the changelist filtered to the queue
    (``benchmarks.admin_tools.PendingReviewFilter``)."""
    queues = []
    for model, label in ((JobPosting, "Postings in review"), (PaySurvey, "Flagged surveys to review")):
        opts = model._meta
        if user.has_perm(f"{opts.app_label}.change_{opts.model_name}"):
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist") + "?queue=pending"
            queues.append(Queue(label=label, count=model.objects.pending_review().count(), url=url))
    return queues
