"""Public cooperative profile page: who grows the produce, their badges and products; and
following a cooperative (关注) to be told before its live sessions."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.cooperatives.models import Cooperative
from marketplace.cooperatives.selectors import cooperatives_for_profile
from marketplace.cooperatives.services import cooperative_follow, cooperative_unfollow
from marketplace.regions.selectors import region_full_name
from marketplace.shop.catalogue.selectors import product_listing


def cooperative_detail(request, slug):
    coop = get_object_or_404(cooperatives_for_profile(user=request.user), slug=slug)
    products = product_listing().filter(stockrecords__partner=coop.partner).distinct()[:48]
    return render(
        request,
        "cooperatives/detail.html",
        {
            "cooperative": coop,
            "village_path": region_full_name(code=coop.village_id),
            "products": products,
        },
    )


def _profile_url(coop: Cooperative) -> str:
    return reverse("cooperatives:detail", kwargs={"slug": coop.slug})


def _back(request, coop: Cooperative):
    """Where the form asked to go back to (a page of this site), else the profile page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(_profile_url(coop))


@require_POST
def follow(request, slug):
    coop = get_object_or_404(Cooperative, slug=slug)
    if not request.user.is_authenticated:
        # Back to the profile after logging in: the POST itself cannot be replayed.
        messages.info(request, _("请先登录再关注合作社。"))
        return redirect_to_login(_profile_url(coop))
    if cooperative_follow(user=request.user, cooperative=coop):
        messages.success(request, _("已关注%(name)s，开播前会通知你。") % {"name": coop.legal_name})
    else:
        messages.info(request, _("你已经关注了%(name)s。") % {"name": coop.legal_name})
    return _back(request, coop)


@require_POST
def unfollow(request, slug):
    coop = get_object_or_404(Cooperative, slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(_profile_url(coop))
    if cooperative_unfollow(user=request.user, cooperative=coop):
        messages.success(request, _("已取消关注%(name)s。") % {"name": coop.legal_name})
    else:
        messages.info(request, _("你没有关注%(name)s。") % {"name": coop.legal_name})
    return _back(request, coop)
