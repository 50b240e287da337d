"""Traceability API (DRF): the dashboard's rules through the same forms and services.

Batches, their records and codes, and binding need a signed-in cooperative staff member
(or platform staff); another cooperative's batch or order line is a 404. A code's events
are public and read-only (for other platforms) and, unlike the page, are not a scan.
Refusals answer 400 with the form's field errors or the service's message.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.traceability import labels, services
from marketplace.traceability.api.events import code_events
from marketplace.traceability.api.serializers import (
    BatchCreateSerializer,
    BatchDetailSerializer,
    BatchSerializer,
    BindSerializer,
    CodeSerializer,
    CodesIssueSerializer,
    EventListSerializer,
    InputCreateSerializer,
    InputSerializer,
)
from marketplace.traceability.codes import code_check
from marketplace.traceability.forms import (
    BatchForm,
    CodesBindForm,
    CodesIssueForm,
    InputForm,
)
from marketplace.traceability.selectors import batches_for_user, lines_for_user, trace_for_code
from marketplace.traceability.services import TraceError

REFUSED = OpenApiResponse(description='{"detail": "…"} or {"<field>": ["…"]}')


def _form_errors(form) -> Response:
    errors = {(name if name != "__all__" else "detail"): [str(e) for e in errs]
              for name, errs in form.errors.items()}
    return Response(errors, status=status.HTTP_400_BAD_REQUEST)


def _refused(message: str) -> Response:
    return Response({"detail": message}, status=status.HTTP_400_BAD_REQUEST)


class BatchViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return batches_for_user(self.request.user).order_by("-harvested_on", "-pk").annotate(
            code_count=Count("codes", distinct=True),
            bound_count=Count("codes", filter=Q(codes__order_line__isnull=False),
                              distinct=True),
        )

    def get_serializer_class(self):
        return BatchDetailSerializer if self.action == "retrieve" else BatchSerializer

    def _batch(self):
        return get_object_or_404(batches_for_user(self.request.user), pk=self.kwargs["pk"])

    @extend_schema(request=BatchCreateSerializer, responses={201: BatchDetailSerializer,
                                                             400: REFUSED})
    def create(self, request):
        form = BatchForm(request.data, user=request.user)
        if not form.is_valid():
            return _form_errors(form)
        try:
            batch = services.batch_create(user=request.user, **form.cleaned_data)
        except TraceError as exc:
            return _refused(exc.message)
        batch.code_count = batch.bound_count = 0
        return Response(BatchDetailSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InputCreateSerializer, responses={201: InputSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def inputs(self, request, pk=None):
        batch = self._batch()
        form = InputForm(request.data)
        if not form.is_valid():
            return _form_errors(form)
        try:
            record = services.input_add(user=request.user, batch=batch, **form.cleaned_data)
        except TraceError as exc:
            return _refused(exc.message)
        return Response(InputSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: CodeSerializer(many=True)})
    @extend_schema(methods=["POST"], request=CodesIssueSerializer,
                   responses={201: CodeSerializer(many=True), 400: REFUSED})
    @action(detail=True, methods=["get", "post"])
    def codes(self, request, pk=None):
        batch = self._batch()
        if request.method == "GET":
            page = self.paginate_queryset(batch.codes.order_by("serial"))
            return self.get_paginated_response(CodeSerializer(page, many=True).data)
        form = CodesIssueForm(request.data)
        if not form.is_valid():
            return _form_errors(form)
        try:
            issued = services.codes_issue(batch=batch, count=form.cleaned_data["count"],
                                          user=request.user)
        except (TraceError, ValueError) as exc:
            return _refused(getattr(exc, "message", str(exc)))
        return Response(CodeSerializer(issued, many=True).data, status=status.HTTP_201_CREATED)


class LineBindView(APIView):
    """Bind the codes packed into an order line (or the batch it came from)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=BindSerializer, responses={200: CodeSerializer(many=True),
                                                      400: REFUSED})
    def post(self, request, pk: int):
        line = get_object_or_404(lines_for_user(request.user), pk=pk)
        codes, batch_id = request.data.get("codes"), request.data.get("batch")
        if (codes is None) == (batch_id is None):
            return _refused(_("请提供 codes（溯源码列表）或 batch（批次 id）其中之一。"))
        try:
            if batch_id is not None:
                batches = batches_for_user(request.user).filter(product_id=line.product_id)
                batch = batches.filter(pk=batch_id).first() if str(batch_id).isdigit() else None
                if batch is None:
                    return Response({"batch": [_("没有这个批次，或它不是该商品的批次。")]},
                                    status=status.HTTP_400_BAD_REQUEST)
                services.batch_bind(order_line=line, batch=batch, user=request.user)
                bound = list(line.trace_codes.order_by("serial"))
            else:
                if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                    return Response({"codes": [_("codes 须是字符串列表。")]},
                                    status=status.HTTP_400_BAD_REQUEST)
                form = CodesBindForm({"codes": "\n".join(codes)})
                if not form.is_valid():
                    return _form_errors(form)
                bound = services.codes_bind(order_line=line, codes=form.cleaned_data["codes"],
                                            user=request.user)
        except TraceError as exc:
            return _refused(exc.message)
        return Response(CodeSerializer(bound, many=True).data)


class CodeEventsView(APIView):
    """A code's history for other platforms: EPCIS-like ObjectEvents, oldest first."""

    permission_classes: list = []

    @extend_schema(responses={200: EventListSerializer,
                              400: OpenApiResponse(description="not a well-formed code"),
                              404: OpenApiResponse(description="no such code")})
    def get(self, request, code: str):
        found, error = code_check(code[:64])
        if error:
            return _refused(error)
        trace = trace_for_code(found)
        if trace is None:
            return Response({"detail": _("查无此码")}, status=status.HTTP_404_NOT_FOUND)
        epc = labels.trace_url(settings.SITE_URL or request.build_absolute_uri("/"), found)
        return Response({"code": found, "epcList": [epc],
                         "eventList": code_events(trace, epc=epc)})
