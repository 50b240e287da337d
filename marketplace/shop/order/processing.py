"""Order processing fork: staff cancelling an unpaid order also ends its payment and stock."""

from oscar.apps.order import processing
from oscar.apps.payment.exceptions import PaymentError

from marketplace.payments.providers import ProviderError
from marketplace.payments.services import order_expire
from marketplace.shop.order.services import STATUS_CANCELLED, STATUS_PENDING_PAYMENT


class EventHandler(processing.EventHandler):
    def handle_order_status_change(self, order, new_status, note_msg=None):
        if new_status == STATUS_CANCELLED and order.status == STATUS_PENDING_PAYMENT:
            # Oscar would only relabel the order: its units would stay allocated and its
            # PaymentIntent payable. Cancel at the provider first; a payment that already
            # went through keeps the order (it is marked paid instead).
            try:
                outcome = order_expire(order_id=order.pk, reason=note_msg or "")
            except ProviderError as exc:
                raise PaymentError(str(exc)) from exc
            order.refresh_from_db()
            if outcome != "cancelled":
                raise PaymentError("该订单的付款已经成功，已标记为已支付，不能取消。")
            return
        super().handle_order_status_change(order, new_status, note_msg)


__all__ = ["EventHandler"]
