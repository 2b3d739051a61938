# syntax=docker/dockerfile:1
# Tessera: multi-stage image. Build:  docker build -t tessera .
# Production needs Redis (REDIS_URL), secure cookies and existing JWT keys in /app/keys:
# see docker-compose.yml for how to generate the keys once.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: install all deps, compile, then drop dev deps -------------------------------------
FROM ${NODE_IMAGE} AS build
# Build tools for node-gyp, in case argon2's prebuilt binary does not load and it compiles.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The project .npmrc says nodedir=/usr (Debian's Node on the dev machine); the official image keeps
# its headers under /usr/local. An npm_config_* variable wins over the project .npmrc.
ENV npm_config_nodedir=/usr/local
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# ---- runtime: compiled app + production deps only, non-root -----------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    JWT_KEYS_DIR=/app/keys
# V8 grows its heap lazily under load (RSS ~300 MB at 6k req/s); these caps keep the process
# under 200 MB, a login storm included. The young generation keeps V8's default (16 MB semi-spaces):
# 4 MB cost ~12 % more CPU per request in scavenges for ~25 MB less RSS (bench/README.md).
ENV NODE_OPTIONS="--max-old-space-size=160 --max-semi-space-size=16"
# argon2 takes 19 MiB per hash from malloc on a libuv thread. glibc raises its mmap threshold to
# the size of the first such block freed, so later ones come from per-thread arenas and stay in
# the RSS after the hash (~55 MB more after a login storm, measured). A fixed threshold keeps
# every large block mmapped and returned when freed (bench/README.md).
ENV MALLOC_MMAP_THRESHOLD_=131072
WORKDIR /app
# Code stays root-owned (read-only for the app); only the keys dir belongs to `node`. A new named
# volume mounted at /app/keys starts with this ownership.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/keys && chown node:node /app/keys && chmod 700 /app/keys
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# No allocation-site pretenuring (a V8 flag NODE_OPTIONS does not take): V8 put some per-request
# objects straight into the old generation, where, dead, they kept the young objects they point
# to alive until a mark-compact: ~155 KB promoted per scavenge under load, ~5 KB without, 9 % less
# CPU per authenticated request (bench/README.md). `npm run start:prod` passes it too.
CMD ["node", "--no-allocation-site-pretenuring", "dist/main.js"]
