# syntax=docker/dockerfile:1
#
# wasm-orchestrator container image.
#
#   docker build -t wasm-orchestrator:latest .
#   docker run --rm -p 127.0.0.1:5000:5000 -e AUTH_JWT_SECRET=... wasm-orchestrator:latest
#
# Stage 1 builds a release binary with the Swift runtime linked statically;
# stage 2 is a slim Debian with only the shared libraries the binary still needs
# (libhiredis, libstdc++/glibc from the base image) plus curl for HEALTHCHECK.
# Both stages are Debian 12 (bookworm), so the libhiredis the binary was linked
# against (0.14, from libhiredis-dev) is the one installed at runtime.

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------------------
FROM ${SWIFT_IMAGE} AS build

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libhiredis-dev \
        pkg-config \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# Resolve dependencies in their own layer so that source edits don't refetch them.
# Package.resolved is optional (the glob matches nothing when it is absent);
# when present, its pinned versions are used as-is.
COPY Package.swift Package.resolve[d] ./
RUN if [ -f Package.resolved ]; then \
        swift package resolve --force-resolved-versions; \
    else \
        swift package resolve; \
    fi

# SwiftPM validates every target in the manifest, test targets included,
# so Tests/ must be present even though only the server product is built.
# The EmbedResources plugin compiles migrations/ and openapi.yaml into the binary,
# so the runtime image needs nothing but the executable.
COPY Plugins ./Plugins
COPY migrations ./migrations
COPY openapi.yaml ./openapi.yaml
COPY Sources ./Sources
COPY Tests ./Tests

# The binary looks for its resource bundle (SQL migrations) next to itself,
# so both go into /staging together and are copied as one directory.
RUN swift build -c release --product wasm-orchestrator --static-swift-stdlib \
 && bin_path="$(swift build -c release --product wasm-orchestrator --static-swift-stdlib --show-bin-path)" \
 && mkdir -p /staging \
 && cp "${bin_path}/wasm-orchestrator" /staging/

# ---------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime

LABEL org.opencontainers.image.title="wasm-orchestrator" \
      org.opencontainers.image.description="Registers WebAssembly modules and rolls them out to edge nodes"

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libhiredis0.14 \
        ca-certificates \
        curl \
 && rm -rf /var/lib/apt/lists/*

# Fixed uid/gid 10001 so Kubernetes' runAsUser and volume ownership line up.
# data/ is created here (owned by wasm) so that a named volume mounted on it
# inherits that ownership on first use.
RUN groupadd --system --gid 10001 wasm \
 && useradd --system --uid 10001 --gid wasm \
        --home-dir /var/lib/wasm-orchestrator --no-create-home \
        --shell /usr/sbin/nologin wasm \
 && install -d -o wasm -g wasm -m 0750 /var/lib/wasm-orchestrator /var/lib/wasm-orchestrator/data

COPY --from=build /staging/ /opt/wasm-orchestrator/bin/
ENV PATH="/opt/wasm-orchestrator/bin:${PATH}" \
    SERVER_HOST=0.0.0.0 \
    DATA_DIR=/var/lib/wasm-orchestrator/data

WORKDIR /var/lib/wasm-orchestrator
EXPOSE 5000

# Checks the liveness endpoint on the default port over plain HTTP. If you change
# SERVER_PORT or turn on TLS (SERVER_TLS_*), override the healthcheck as well.
HEALTHCHECK --interval=30s --timeout=3s --start-period=15s --retries=3 \
    CMD curl -fsS http://127.0.0.1:5000/health || exit 1

USER wasm
ENTRYPOINT ["wasm-orchestrator"]
CMD ["serve"]
