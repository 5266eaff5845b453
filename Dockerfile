# The kerjasama image: the locked dependencies, then the code; one image for API and projector.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH
RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project
COPY registry ./registry
COPY events ./events
COPY projections ./projections
COPY migrations ./migrations
RUN uv sync --locked --no-dev
EXPOSE 8000
CMD ["kerjasama", "serve", "--host", "0.0.0.0", "--port", "8000"]
