# Penah in a container: a slim Python, a non-root user, state in the /data volume, the
# directory mountable read-only from the host so admins edit it there and the bot reloads it.
# The base is an explicit tag, so a new Debian release under python:3.11-slim changes nothing
# unseen; .ci/image builds this file and checks the image on every change.
FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml constraints.txt README.md resources.yaml resources.schema.json ./
COPY bot ./bot
COPY locales ./locales
# constraints.txt pins every transitive dependency, so the image is what CI tested.
RUN pip wheel --no-cache-dir --wheel-dir /wheels -c constraints.txt ".[webhook]"

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PENAH_DATA_DIR=/data \
    PENAH_RESOURCES=/config/resources.yaml
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels "penah[webhook]" \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin penah \
    && mkdir -p /data /config && chown penah /data
# The shipped seed directory. Mount the folder holding yours over /config (-v ./directory:/config:ro),
# not the file alone: an editor that saves by renaming would leave a file mount on the old file.
COPY resources.yaml /config/resources.yaml
USER penah
VOLUME ["/data"]
# The bot touches /data/heartbeat every 5 s while its polling loop (or webhook server) runs.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["penah", "health", "--max-age", "60"]
# No secret is baked in: pass TELEGRAM_BOT_TOKEN (and PENAH_ADMIN_IDS) at run time.
CMD ["penah", "run"]
