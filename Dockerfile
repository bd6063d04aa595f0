# One image for every privacyhub process; the container's command chooses which one runs:
#   docker run IMAGE gateway      (or consent, contact, requests, retention, partner)
# Any other command runs as given, e.g. `docker run IMAGE privacyhub-topics`.
# Build from the repository root: `docker build -t privacyhub .`. Without a registry,
# deploy/images/build-local builds it with podman from a local Debian base.

# The base of both stages: Debian bookworm with Python 3.11, pinned by digest. Any base with
# python3 (3.11+), ca-certificates and useradd will do: `--build-arg BASE_IMAGE=...`.
ARG BASE_IMAGE=python:3.11-slim-bookworm@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91
# uv's release image, only for its binary: the version that keeps uv.lock.
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9

FROM ${UV_IMAGE} AS uv

FROM ${BASE_IMAGE} AS build
COPY --from=uv /uv /usr/local/bin/uv
# SSL_CERT_FILE: uv trusts the image's CA bundle, which a build behind a TLS-inspecting proxy
# replaces with the host's (build-local mounts /etc/ssl/certs).
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON_PREFERENCE=only-system \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
WORKDIR /app

# The dependencies first, exactly as uv.lock has them (--locked fails when the lock is stale):
# this layer is rebuilt only when the lock or a pyproject.toml changes.
COPY uv.lock pyproject.toml ./
COPY shared/pyproject.toml shared/
COPY gateway/pyproject.toml gateway/
COPY services/consent/pyproject.toml services/consent/
COPY services/contact/pyproject.toml services/contact/
COPY services/requests/pyproject.toml services/requests/
COPY services/retention/pyproject.toml services/retention/
COPY deploy/local/pyproject.toml deploy/local/
COPY deploy/partner/pyproject.toml deploy/partner/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-install-workspace

# Then the workspace's own packages, installed as wheels so the runtime needs no source tree;
# the local Kafka and FerretDB provisioner (privacyhub-localinfra) stays out of the image.
COPY shared shared
COPY gateway gateway
COPY services services
COPY deploy/partner deploy/partner
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-editable --no-install-package privacyhub-localinfra

# The processes, one command each (the name of a module `python -m privacyhub.NAME` runs).
ARG PROCESSES="gateway consent contact requests retention partner"
RUN for process in $PROCESSES; do \
        printf '#!/bin/sh\nexec /app/.venv/bin/python -m privacyhub.%s "$@"\n' "$process" \
            > ".venv/bin/$process" \
        && chmod 0755 ".venv/bin/$process"; \
    done

FROM ${BASE_IMAGE} AS runtime
# A fixed numeric id, so an orchestrator's runAsNonRoot can verify it without /etc/passwd.
RUN groupadd --gid 10001 privacyhub \
    && useradd --uid 10001 --gid privacyhub --no-create-home --no-log-init \
        --home-dir /nonexistent --shell /usr/sbin/nologin privacyhub

# Only the environment: owned by root, so the processes cannot change their own code.
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
USER 10001:10001
# The default HTTP ports (health, readiness, metrics; the gateway's API on 8000).
EXPOSE 8000 8101 8102 8103 8104 8105
CMD ["gateway"]

# Last, so that a new revision or date rebuilds no layer.
ARG BASE_IMAGE
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="privacyhub" \
      org.opencontainers.image.description="Privacy platform: the gateway, the consent, contact, requests and retention services and the reference support-partner tool; the command chooses the process" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="${BASE_IMAGE}"
