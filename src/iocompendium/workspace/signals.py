"""What happens in the workspace, for whoever listens (notifications does).

Sent inside the writing transaction; the workspace never imports its listeners."""

from django.dispatch import Signal

# sender=Round, round=..., organisations=[Organisation...]
round_opened = Signal()
# sender=ActionItem, action=..., user=...
action_assigned = Signal()
# sender=Document, document=..., meeting=..., user=...
meeting_document_added = Signal()
