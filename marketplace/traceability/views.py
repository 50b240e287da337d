"""Staff dashboard of traceability (/dashboard/trace/): batches, their records, codes, packing."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from oscar.core.loading import get_model

from marketplace.cooperatives.views import dashboard_access_required
from marketplace.traceability import labels, services
from marketplace.traceability.forms import (
    BatchBindForm,
    BatchForm,
    CodesBindForm,
    CodesIssueForm,
    InputForm,
    InspectionForm,
    LabelsForm,
)
from marketplace.traceability.models import HarvestBatch, LineBatch, TraceCode
from marketplace.traceability.selectors import batches_for_user, lines_for_user
from marketplace.traceability.services import TraceError

Line = get_model("order", "Line")
Order = get_model("order", "Order")

BATCHES_PER_PAGE = 30


def _batch_or_404(request, pk: int) -> HarvestBatch:
    """Another cooperative's batch answers 404, as if it did not exist."""
    return get_object_or_404(batches_for_user(request.user), pk=pk)


def _add_errors(form, exc: TraceError, field: str | None = None) -> None:
    form.add_error(field, exc.message)


@dashboard_access_required
def batch_list(request):
    batches = batches_for_user(request.user).order_by("-harvested_on", "-pk").annotate(
        code_count=Count("codes", distinct=True),
        bound_count=Count("codes", filter=Q(codes__order_line__isnull=False), distinct=True),
    )
    query = request.GET.get("q", "").strip()[:40]
    if query:
        batches = batches.filter(Q(batch_number__icontains=query)
                                 | Q(product__title__icontains=query))
    page = Paginator(batches, BATCHES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "traceability/dashboard/batch_list.html",
                  {"page_obj": page, "query": query})


@dashboard_access_required
def batch_create(request):
    """A batch, and optionally its first input and inspection, saved together or not at all."""
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = BatchForm(data, user=request.user)
    input_form = InputForm(data, prefix="input", empty_permitted=True,
                           use_required_attribute=False)
    inspection_form = InspectionForm(data, files, prefix="inspection", empty_permitted=True,
                                     use_required_attribute=False)
    if request.method == "POST" and all(
            [form.is_valid(), input_form.is_valid(), inspection_form.is_valid()]):
        try:
            with transaction.atomic():
                batch = services.batch_create(user=request.user, **form.cleaned_data)
                if input_form.has_changed():
                    services.input_add(user=request.user, batch=batch,
                                       **input_form.cleaned_data)
                if inspection_form.has_changed():
                    services.inspection_add(user=request.user, batch=batch,
                                            **inspection_form.cleaned_data)
        except TraceError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已创建批次“%(number)s”。") % {
                "number": batch.batch_number})
            return redirect("trace-dashboard:batch-detail", pk=batch.pk)
    return render(request, "traceability/dashboard/batch_form.html", {
        "form": form, "input_form": input_form, "inspection_form": inspection_form,
    })


@dashboard_access_required
def batch_edit(request, pk: int):
    batch = _batch_or_404(request, pk)
    form = BatchForm(request.POST or None, instance=batch, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("已保存批次“%(number)s”。") % {"number": batch.batch_number})
        return redirect("trace-dashboard:batch-detail", pk=batch.pk)
    return render(request, "traceability/dashboard/batch_form.html",
                  {"form": form, "batch": batch})


def _detail(request, batch, *, status=200, **forms):
    context = {
        "batch": batch,
        "inputs": [_with_batch(r, batch) for r in batch.inputs.all()],
        "inspections": list(batch.inspections.all()),
        "code_stats": batch.codes.aggregate(
            count=Count("pk"), bound=Count("pk", filter=Q(order_line__isnull=False)),
            first=Min("serial"), last=Max("serial")),
        "recent_codes": list(batch.codes.order_by("-serial")[:20]),
        "input_form": forms.get("input_form") or InputForm(prefix="input"),
        "inspection_form": forms.get("inspection_form") or InspectionForm(prefix="inspection"),
        "issue_form": forms.get("issue_form") or CodesIssueForm(),
        "labels_form": forms.get("labels_form") or LabelsForm(),
    }
    return render(request, "traceability/dashboard/batch_detail.html", context, status=status)


def _with_batch(record, batch):
    record.batch = batch
    return record


@dashboard_access_required
def batch_detail(request, pk: int):
    return _detail(request, _batch_or_404(request, pk))


@require_POST
@dashboard_access_required
def input_add(request, pk: int):
    batch = _batch_or_404(request, pk)
    form = InputForm(request.POST, prefix="input")
    if form.is_valid():
        try:
            record = services.input_add(user=request.user, batch=batch, **form.cleaned_data)
        except TraceError as exc:
            _add_errors(form, exc)
        else:
            if record.interval_problem:
                messages.warning(request, _("已保存，但请注意：%(problem)s") % {
                    "problem": record.interval_problem})
            else:
                messages.success(request, _("已添加投入品记录。"))
            return redirect("trace-dashboard:batch-detail", pk=batch.pk)
    return _detail(request, batch, status=400, input_form=form)


@require_POST
@dashboard_access_required
def inspection_add(request, pk: int):
    batch = _batch_or_404(request, pk)
    form = InspectionForm(request.POST, request.FILES, prefix="inspection")
    if form.is_valid():
        try:
            services.inspection_add(user=request.user, batch=batch, **form.cleaned_data)
        except TraceError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已添加检测记录。"))
            return redirect("trace-dashboard:batch-detail", pk=batch.pk)
    return _detail(request, batch, status=400, inspection_form=form)


@require_POST
@dashboard_access_required
def codes_issue(request, pk: int):
    batch = _batch_or_404(request, pk)
    form = CodesIssueForm(request.POST)
    if form.is_valid():
        try:
            issued = services.codes_issue(batch=batch, count=form.cleaned_data["count"],
                                          user=request.user)
        except (TraceError, ValueError) as exc:
            form.add_error("count", getattr(exc, "message", str(exc)))
        else:
            messages.success(request, _("已生成 %(count)d 个码（序号 %(first)d–%(last)d）。") % {
                "count": len(issued), "first": issued[0].serial, "last": issued[-1].serial})
            return redirect("trace-dashboard:batch-detail", pk=batch.pk)
    return _detail(request, batch, status=400, issue_form=form)


@dashboard_access_required
def batch_labels(request, pk: int):
    """The label sheet PDF of a range of the batch's serials."""
    batch = _batch_or_404(request, pk)
    form = LabelsForm(request.GET)
    if form.is_valid():
        base = getattr(settings, "SITE_URL", "") or request.build_absolute_uri("/")
        try:
            pdf = labels.batch_labels_pdf(batch, form.cleaned_data["first"],
                                          form.cleaned_data["last"], base=base)
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            response = HttpResponse(pdf, content_type="application/pdf")
            name = f"trace-{batch.pk}-{form.cleaned_data['first']}-{form.cleaned_data['last']}"
            response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
            return response
    return _detail(request, batch, status=400, labels_form=form)


def _line_or_404(request, pk: int):
    return get_object_or_404(lines_for_user(request.user), pk=pk)


@dashboard_access_required
def order_pack(request, number: str):
    """The lines of an order the user packs, each with its bound codes and batches."""
    lines = list(lines_for_user(request.user).filter(order__number=number).annotate(
        code_count=Count("trace_codes", distinct=True)).order_by("pk"))
    if not lines:
        raise Http404
    return render(request, "traceability/dashboard/order_pack.html",
                  {"order": lines[0].order, "lines": lines})


@dashboard_access_required
def line_pack(request, pk: int):
    """Bind the codes scanned while packing a line, or the batch it was packed from."""
    line = _line_or_404(request, pk)
    batches = batches_for_user(request.user).filter(product_id=line.product_id)
    codes_form = CodesBindForm(prefix="codes")
    batch_form = BatchBindForm(prefix="batch", batches=batches)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "codes":
            codes_form = CodesBindForm(request.POST, prefix="codes")
            if codes_form.is_valid():
                try:
                    bound = services.codes_bind(order_line=line,
                                                codes=codes_form.cleaned_data["codes"],
                                                user=request.user)
                except TraceError as exc:
                    codes_form.add_error("codes", exc.message)
                else:
                    messages.success(request, _("已绑定 %(count)d 个码。") % {"count": len(bound)})
                    return redirect("trace-dashboard:line-pack", pk=line.pk)
        elif action == "batch":
            batch_form = BatchBindForm(request.POST, prefix="batch", batches=batches)
            if batch_form.is_valid():
                try:
                    services.batch_bind(order_line=line, batch=batch_form.cleaned_data["batch"],
                                        user=request.user)
                except TraceError as exc:
                    batch_form.add_error("batch", exc.message)
                else:
                    messages.success(request, _("已记录该订单行的批次。"))
                    return redirect("trace-dashboard:line-pack", pk=line.pk)
        status = 400
    context = {
        "line": line,
        "codes_form": codes_form,
        "batch_form": batch_form,
        "bound_codes": list(TraceCode.objects.filter(order_line=line)
                            .select_related("batch").order_by("batch", "serial")),
        "line_batches": list(LineBatch.objects.filter(order_line=line)
                             .select_related("batch")),
    }
    return render(request, "traceability/dashboard/line_pack.html", context, status=status)
