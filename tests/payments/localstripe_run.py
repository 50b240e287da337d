"""Runs localstripe (a Stripe-compatible server) for tests and the benchmark.

Two changes to its defaults, both towards Stripe's documented behaviour: the store stays in
memory (localstripe pickles it to /tmp/localstripe.pickle after every write, which grows
with each object and is shared by every instance on the machine), and the test card
4000000000000002 is declined when charged, as on Stripe (localstripe declines it only when
attached to a customer).

    python -m tests.payments.localstripe_run --port 8420
"""

import localstripe.resources as resources

resources.Store.dump_to_disk = lambda self: None
_charging_is_declined = resources.PaymentMethod._charging_is_declined


def _declined(self) -> bool:
    if self.type == "card" and self._card_number == "4000000000000002":
        return True
    return _charging_is_declined(self)


resources.PaymentMethod._charging_is_declined = _declined

if __name__ == "__main__":
    import sys

    from localstripe.server import start

    if "--from-scratch" not in sys.argv:
        sys.argv.append("--from-scratch")
    start()
