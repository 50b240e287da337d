"""What livestream announces to other packages (search re-indexes the session's products)."""

import django.dispatch

# A session went live or ended (its items' "live now" changed): sender=LiveSession,
# session_id, status. Sent inside the transaction; receivers act after commit.
session_status_changed = django.dispatch.Signal()
