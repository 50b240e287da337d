from tests.payments.stripe_helpers import localstripe, stripe_on  # noqa: F401
