"""Order analytics (销售统计) recorded by an idempotent Celery task instead of in the request."""
