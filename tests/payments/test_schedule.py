"""Celery beat runs the payment deadline and reconciliation tasks, under their real names."""

from django.conf import settings

from marketplace.celery import app


def test_beat_schedule_names_registered_payment_tasks():
    app.loader.import_default_modules()
    beat = settings.CELERY_BEAT_SCHEDULE.values()
    scheduled = {entry["task"]: entry["schedule"] for entry in beat}

    assert scheduled["payments.orders_cancel_expired"] == 60.0
    assert scheduled["payments.payments_reconcile"] == settings.PAYMENT_RECONCILE_MINUTES * 60
    assert set(scheduled) <= set(app.tasks)
