"""Order creation fork: a line bought from a live session takes its flash units and keeps
the session (attribution), in the same transaction as the stock."""

from django.conf import settings
from oscar.apps.order import utils

from marketplace.livestream.services import flash_take, item_is_active


class OrderCreator(utils.OrderCreator):
    def create_line_models(self, order, basket_line, extra_line_fields=None):
        extra = dict(extra_line_fields or {})
        item = basket_line.live_item if getattr(basket_line, "live_item_id", None) else None
        # Only a line still priced live takes live units: after the grace period it costs
        # the normal price (see the partner strategy) and is an ordinary sale.
        if item is not None and item_is_active(
                item, grace_seconds=settings.LIVE_PRICE_GRACE_SECONDS):
            flash_take(item_id=item.pk, user_id=order.user_id, quantity=basket_line.quantity)
            extra.update(live_item=item, live_session_id=item.session_id)
        return super().create_line_models(order, basket_line, extra)

