FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md resources.yaml resources.schema.json ./
COPY bot ./bot
COPY locales ./locales
RUN pip install --no-cache-dir . && useradd --create-home --uid 10001 penah \
    && mkdir /data && chown penah /data
USER penah
ENV PENAH_DATA_DIR=/data PENAH_RESOURCES=/app/resources.yaml
VOLUME /data
CMD ["penah", "run"]
