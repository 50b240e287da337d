"""Customer fork: Oscar's models unchanged (the fork exists for its views)."""

from oscar.apps.customer.models import *
