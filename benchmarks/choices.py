"""Fixed vocabularies of the benchmark engine."""

from django.db import models


class SkillTier(models.TextChoices):
    ENTRY = "entry", "Entry"
    SKILLED = "skilled", "Skilled"
    EXPERT = "expert", "Expert"
    TOP_EXPERT = "top_expert", "Top expert (credentialed)"


SKILL_TIER_ORDER = [t.value for t in SkillTier]


class PayUnit(models.TextChoices):
    HOUR = "hour", "per hour"
    TASK = "task", "per task"
    DAY = "day", "per day"
    WEEK = "week", "per week"
    MONTH = "month", "per month"
    YEAR = "year", "per year"
    PROJECT = "project", "per project"


class ObservationKind(models.TextChoices):
    REPORTED = "reported", "Reported (pay surveys)"
    ADVERTISED = "advertised", "Advertised (job postings)"


class SourceKind(models.TextChoices):
    SURVEY_FORM = "survey_form", "Portal survey form"
    COMPANY = "company", "Company postings"
    PARTNER = "partner", "Partner feed"
    IMPORT = "import", "Admin import"


class TaskType(models.TextChoices):
    RANKING = "ranking", "RLHF ranking / preference"
    SFT_WRITING = "sft_writing", "SFT writing"
    RED_TEAMING = "red_teaming", "Red-teaming"
    EVALUATION = "evaluation", "Evaluation"
    ANNOTATION = "annotation", "Annotation"
    OTHER = "other", "Other"


class Engagement(models.TextChoices):
    FREELANCE = "freelance", "Freelance / gig"
    PART_TIME = "part_time", "Part-time contract"
    FULL_TIME = "full_time", "Full-time contract"
    EMPLOYEE = "employee", "Employee"
