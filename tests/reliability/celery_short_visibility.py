"""The project's Celery app with a short Redis visibility timeout, for a worker started by a test.

`celery -A tests.reliability.celery_short_visibility worker` stands for a worker that starts
after the production visibility timeout (one hour) has passed: it puts messages that a
killed worker had taken, and never acknowledged, back on their queue.
"""

import os

from marketplace.celery import app

app.conf.broker_transport_options = {
    "visibility_timeout": int(os.environ.get("TEST_VISIBILITY_TIMEOUT", "3")),
    # sweep for such messages every second instead of every 10 x 10 s
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

__all__ = ["app"]
