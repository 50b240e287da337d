"""Stock alert views: cancelling an alert never redirects off this site."""

from django.utils.http import url_has_allowed_host_and_scheme
from oscar.apps.customer.alerts import views


class ProductAlertCancelView(views.ProductAlertCancelView):
    def get_redirect_url(self, *args, **kwargs):
        # Oscar follows ?next= anywhere, so a cancel link in a phishing mail could bounce a
        # buyer from our domain to a look-alike one (an open redirect).
        target = self.request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return target
        return self.alert.product.get_absolute_url()
