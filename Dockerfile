# tst-bot image: `tst run` as an unprivileged user, configured by TSTBOT_* environment variables
# and, optionally, a TOML file mounted read-only (TSTBOT_CONFIG=/etc/tst-bot/tst.toml).
# Build: docker build -t tst-bot .      Run with PostgreSQL: docker compose up (compose.yaml)

# The same Python minor version as the test suite runs on.
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/tst-bot
WORKDIR /src
# Only what the package needs (pyproject reads README.md for its description).
COPY pyproject.toml README.md ./
COPY bot ./bot
# A regular (not editable) install: the catalogs and migrations travel as package data.
RUN /opt/tst-bot/bin/pip install .

FROM python:3.11-slim-bookworm
# The venv's python comes first; bytecode was compiled at install time, and the root file
# system may be read-only (compose.yaml), so nothing is written next to the code.
# Numba (the compiled MDGP search of `tst grouping`) keeps its cache under /tmp. The probes
# (/healthz, /metrics) must be reachable from outside the container's loopback for the
# HEALTHCHECK's neighbours (Prometheus on the same network); the http section always exists,
# so this enables nothing.
ENV PATH=/opt/tst-bot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    NUMBA_CACHE_DIR=/tmp/numba \
    TSTBOT_HTTP__HOST=0.0.0.0
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /var/lib/tst-bot \
        --shell /usr/sbin/nologin tst
COPY --from=build /opt/tst-bot /opt/tst-bot
USER tst
# The default SQLite file (tst.db) lands here; PostgreSQL deployments keep nothing in it.
WORKDIR /var/lib/tst-bot
VOLUME ["/var/lib/tst-bot"]
# 3000: Slack's HTTP mode (its events, and the probes beside them); 8080: the probes otherwise.
EXPOSE 3000 8080
# /healthz answers where `tst run` serves it: on Slack's port in Slack's HTTP mode, else on the
# [http] port. Reading the same settings as the bot keeps the two in step; 503 (database down)
# and a refused connection both fail the check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; from bot.config import load_settings; s = load_settings(); port = s.slack.port if s.slack is not None and s.slack.mode == 'http' else s.http.port; urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4)"]
# `docker run tst-bot` is `tst run`; `docker run tst-bot db upgrade` (or report, list, check)
# runs another `tst` command in the same image.
ENTRYPOINT ["tst"]
CMD ["run"]
