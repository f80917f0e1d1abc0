# Signaalbot worker image. Build: docker build -t signaalbot .
# Run one container per worker (docs/operations.md); secrets come from the environment
# (SIGNAALBOT_SECURITY__ENCRYPTION_KEY, SIGNAALBOT_TELEGRAM__TOKEN, ...), the config file is
# mounted at /etc/signaalbot/config.toml. Nothing secret is in the image. It is made for
# webhook mode (telegram.mode = "webhook"), whose port serves the health check.

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SIGNAALBOT_CONFIG=/etc/signaalbot/config.toml \
    SIGNAALBOT_TELEGRAM__WEBHOOK__LISTEN=0.0.0.0 \
    SIGNAALBOT_TELEGRAM__WEBHOOK__PORT=8443 \
    SIGNAALBOT_WEB__LISTEN=0.0.0.0 \
    SIGNAALBOT_DATABASE__MIGRATE_ON_START=false
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
    && useradd --system --uid 10001 --home-dir /var/lib/signaalbot --create-home \
       --shell /usr/sbin/nologin signaalbot
USER signaalbot
WORKDIR /var/lib/signaalbot
# The webhook port (with /healthz and /readyz) and the web chat's port.
EXPOSE 8443 8090
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['SIGNAALBOT_TELEGRAM__WEBHOOK__PORT'] + '/healthz', timeout=4)"]
# SIGTERM lets a worker finish the updates in flight: give it time (docker stop -t 30,
# stop_grace_period: 30s in Compose).
STOPSIGNAL SIGTERM
ENTRYPOINT ["signaalbot"]
CMD ["run", "--config", "/etc/signaalbot/config.toml"]
