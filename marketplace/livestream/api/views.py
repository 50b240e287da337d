"""Live sessions API (DRF): the same rules as the pages, through the same services.

Reading is public (cancelled sessions excepted). Changing a session needs the session's
manager (host, its cooperatives' staff, platform staff); anyone else gets 404, as on the
host console. A refused request answers 400 with the service's message.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.response import Response

from marketplace.livestream import selectors, services
from marketplace.livestream.api.serializers import (
    CommentSerializer,
    ItemCreateSerializer,
    ItemSerializer,
    PinSerializer,
    SessionSerializer,
    TransitionSerializer,
)
from marketplace.livestream.models import LiveSession, SessionItem
from marketplace.livestream.ratelimit import (
    comment_allowed,
    comment_counted,
    comment_refused,
)


def _refused(exc: services.LiveError):
    return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)


class SessionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SessionSerializer
    lookup_field = "slug"

    def get_queryset(self):
        items = SessionItem.objects.select_related("product__parent").order_by(
            "display_order", "pk")
        return (LiveSession.objects.exclude(status=LiveSession.CANCELLED)
                .prefetch_related("cooperatives", Prefetch("items", queryset=items))
                .order_by("-scheduled_start"))

    def _managed(self) -> LiveSession:
        session = self.get_object()
        if not self.request.user.is_authenticated:
            raise NotAuthenticated()
        if not services.session_can_manage(self.request.user, session):
            raise Http404
        return session

    @extend_schema(request=ItemCreateSerializer, responses={201: ItemSerializer})
    @action(detail=True, methods=["post"])
    def items(self, request, slug=None):
        session = self._managed()
        data = ItemCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            item = services.item_add(session=session, **data.validated_data)
        except services.LiveError as exc:
            return _refused(exc)
        return Response(ItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PinSerializer, responses={200: ItemSerializer})
    @action(detail=True, methods=["post"])
    def pin(self, request, slug=None):
        session = self._managed()
        data = PinSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            pin = services.item_pin(session_id=session.pk, item_id=data.validated_data["item"],
                                    user=request.user)
        except services.LiveError as exc:
            return _refused(exc)
        return Response(ItemSerializer(pin.item).data)

    @extend_schema(request=None, responses={200: OpenApiResponse(description="nothing pinned")})
    @action(detail=True, methods=["post"])
    def unpin(self, request, slug=None):
        session = self._managed()
        services.item_unpin(session_id=session.pk, user=request.user)
        return Response({"pinned": None})

    @extend_schema(request=TransitionSerializer, responses={200: SessionSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, slug=None):
        session = self._managed()
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = {"go_live": services.session_go_live, "end": services.session_end,
                  "cancel": services.session_cancel}[data.validated_data["action"]]
        try:
            change(session_id=session.pk, user=request.user)
        except PermissionError as exc:
            raise PermissionDenied("只有主播或平台管理员可以开播、结束或取消直播。") from exc
        except services.LiveError as exc:
            return _refused(exc)
        return Response(SessionSerializer(self.get_queryset().get(pk=session.pk)).data)

    @extend_schema(responses={200: OpenApiResponse(description="the state viewer pages poll")})
    @action(detail=True, methods=["get"])
    def state(self, request, slug=None):
        cached = selectors.cached_state(slug)
        if cached is None:
            raise Http404
        body, etag = cached
        if request.headers.get("If-None-Match") == etag:
            response = HttpResponse(status=304)
        else:
            response = HttpResponse(body, content_type="application/json")
        response["ETag"] = etag
        response["Cache-Control"] = f"public, max-age={selectors.STATE_SECONDS}"
        return response

    @extend_schema(methods=["GET"], responses={200: CommentSerializer(many=True)})
    @extend_schema(methods=["POST"], request=CommentSerializer,
                   responses={201: CommentSerializer})
    @action(detail=True, methods=["get", "post"])
    def comments(self, request, slug=None):
        session = self.get_object()
        if request.method == "GET":
            return Response(CommentSerializer(selectors.latest_comments(session), many=True).data)
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        text = request.data.get("text", "")
        if not isinstance(text, str):
            raise ValidationError({"text": "评论必须是文字。"})
        refusal = comment_allowed(request.user.pk)
        if refusal is not None:
            return Response({"detail": refusal}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        try:
            comment = services.comment_post(session_id=session.pk, user=request.user,
                                            text=text)
        except services.LiveError as exc:
            comment_refused(request.user.pk)
            return _refused(exc)
        comment_counted(request.user.pk)
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
