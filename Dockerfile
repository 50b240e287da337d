# The county marketplace: one image for web (gunicorn), worker and beat (celery).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

WORKDIR /app

# A TrueType CJK font that reportlab can embed in shipping labels and manifests
# (LOGISTICS_PDF_FONT); Noto CJK's CFF outlines are not readable by reportlab.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so a code change does not reinstall them. Every package is pinned
# and hash-checked by requirements.lock (uv pip compile --generate-hashes).
COPY requirements.lock ./
RUN python -m venv /opt/venv \
    && pip install --no-cache-dir uv==0.13.8 \
    && uv pip install --no-cache --require-hashes -r requirements.lock --python /opt/venv/bin/python

COPY . .

# Translations and static files are built into the image. The SECRET_KEY here exists only
# for the build (settings refuse DJANGO_DEBUG=0 without one); the real one comes at run time.
RUN python .ci/compile_messages.py \
    && DJANGO_DEBUG=0 SECRET_KEY=build-only-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz \
        python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 --home-dir /app app \
    && mkdir -p /app/var/media \
    && chown -R app:app /app/var

USER app
ENV DJANGO_DEBUG=0 \
    MEDIA_ROOT=/app/var/media
EXPOSE 8000

# Workers from WEB_CONCURRENCY (gunicorn reads it), default 1; run several containers to scale.
CMD ["gunicorn", "marketplace.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-", "--timeout", "60"]
