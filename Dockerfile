FROM python:3.11-slim
# WeasyPrint needs Pango; psycopg uses its binary wheel.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir "setuptools>=69,<81" wheel \
    && pip install --no-cache-dir --no-build-isolation "xstatic-bootstrap>=5.3.3,<5.4" "xstatic-leaflet>=1.9,<2" \
    && pip install --no-cache-dir .
ENV DJANGO_SETTINGS_MODULE=redplypp.settings
EXPOSE 8000
