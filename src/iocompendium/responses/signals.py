"""What happens in collection and review, for whoever listens (notifications does).

Sent by ``responses.services`` inside the writing transaction, so a listener's rows commit
or roll back with the change. Responses never imports its listeners."""

from django.dispatch import Signal

# sender=Query, query=..., user=...
query_raised = Signal()
# sender=QueryMessage, query=..., message=..., user=...
query_replied = Signal()
# sender=Query, query=..., old=..., new=..., user=...
query_status_changed = Signal()
# sender=Response, response=..., old=..., new=..., user=...
response_status_changed = Signal()
# sender=Invitation, invitation=..., url=..., lang=..., subject=..., body=...
invitation_sent = Signal()
