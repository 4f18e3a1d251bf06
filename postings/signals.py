"""What the posting services tell the apps above postings, which they may not import.

``posting_published`` is sent inside the publishing transaction, with ``posting``; a receiver that enqueues work does
it on commit, so nothing is enqueued for a publication that rolls back.
"""

from django.dispatch import Signal

posting_published = Signal()
