# syntax=docker/dockerfile:1
# DICOMHawk sensor image: Node 20 on Debian bookworm-slim, runs as an unprivileged user with a read-only root
# filesystem (DATA_DIR on a volume, /tmp on tmpfs). Build from the repository root:
#   docker build -t dicomhawk:local .
# The TypeScript sources run through tsx, exactly as `npm start` does (the SQLite writer thread loads its .ts
# module the same way), so the image carries the production dependencies plus tsx and esbuild — no dev tooling.

ARG NODE_IMAGE=node:20.20-bookworm-slim

# ── build: compile the native modules (better-sqlite3) and collect the runtime node_modules ───────────────────────
FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && TSX_VERSION=$(node -p "require('./package-lock.json').packages['node_modules/tsx'].version") \
 && npm install --prefix /opt/tsx --no-save --no-audit --no-fund --no-package-lock "tsx@${TSX_VERSION}" \
 && cp -a /opt/tsx/node_modules/. /app/node_modules/ \
 && npm cache clean --force

# ── runtime ───────────────────────────────────────────────────────────────────────────────────────────────────────
FROM ${NODE_IMAGE}
# nftables for BLOCK_SCANNERS=yes; nft gets the CAP_NET_ADMIN file capability so that the unprivileged user can
# use it when (and only when) the container is given NET_ADMIN (deploy/docker-compose.block-scanners.yml).
RUN apt-get update \
 && apt-get install -y --no-install-recommends nftables libcap2-bin \
 && setcap cap_net_admin+ep /usr/sbin/nft \
 && apt-get purge -y libcap2-bin && apt-get autoremove -y \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 dicomhawk \
 && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home --shell /usr/sbin/nologin dicomhawk \
 && mkdir -p /data && chown 10001:10001 /data && chmod 0750 /data
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY personas ./personas
COPY data-files ./data-files
ENV NODE_ENV=production \
    PROD=yes \
    DATA_DIR=/data \
    DICOM_PORT=104,11112 \
    CONSOLE_HOST=0.0.0.0
USER 10001:10001
VOLUME ["/data"]
EXPOSE 104 11112 3000 5000
# A real C-ECHO against the sensor (dicomhawk healthcheck: associate, echo, release; exit 0/1).
HEALTHCHECK --interval=30s --timeout=15s --start-period=180s --retries=3 \
  CMD ["node", "/app/bin/dicomhawk.js", "healthcheck", "--quiet", "--port", "11112"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/bin/dicomhawk.js"]
CMD ["serve"]
