from django.db import models


class PostingStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    CLOSED = "closed", "Closed"
    EXPIRED = "expired", "Expired"
    REJECTED = "rejected", "Rejected"

    @classmethod
    def ended(cls) -> tuple["PostingStatus", ...]:
        """Was published and takes no more applications."""
        return (cls.CLOSED, cls.EXPIRED)

    @classmethod
    def public(cls) -> tuple["PostingStatus", ...]:
        """Anyone may read it at its address: published, or published once (marked as ended)."""
        return (cls.PUBLISHED, *cls.ended())


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    SHORTLISTED = "shortlisted", "Shortlisted"
    HIRED = "hired", "Hired"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"

    @classmethod
    def open(cls) -> tuple["ApplicationStatus", ...]:
        """Not decided yet: the company may still hire or reject it, the trainer withdraw it."""
        return (cls.SUBMITTED, cls.SHORTLISTED)

    @classmethod
    def shortlistable(cls) -> tuple["ApplicationStatus", ...]:
        return (cls.SUBMITTED,)


class MembershipRole(models.TextChoices):
    OWNER = "owner", "Owner"
    RECRUITER = "recruiter", "Recruiter"


class DescriptionFormat(models.TextChoices):
    PLAIN = "plain", "Plain text"
    MARKDOWN = "markdown", "Markdown"
