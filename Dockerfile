# wiretrace: one image for the web service, the ingest workers and the crawler
# (docker-compose.yml picks the command). Built in two stages so that the
# compiler some wheels may need stays out of the image that runs.

FROM python:3.11-slim AS build
# A C toolchain for any dependency without a wheel for this platform.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY service ./service
COPY workers ./workers
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --create-home --home-dir /home/wiretrace wiretrace
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/*.whl && rm -rf /wheels
USER 10001
WORKDIR /home/wiretrace
# NUMBA_CACHE_DIR: the engine's compiled kernels are cached where a process can
# write (the root file system is read-only under docker-compose; /tmp is not).
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    NUMBA_CACHE_DIR=/tmp/numba-cache \
    WIRETRACE_HOST=0.0.0.0 \
    WIRETRACE_DATA_DIR=/home/wiretrace/data
EXPOSE 8000
CMD ["gunicorn", "--config", "python:service.gunicorn_conf", "service.wsgi:app"]
