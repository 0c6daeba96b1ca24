# syntax=docker/dockerfile:1
# Orderline production image: node dist/main.js as a non-root user on Node 24 LTS (slim). Migrations are applied by
# the app at start (advisory-locked, so several replicas may start together). Set DATABASE_URL, JWT_SECRET and
# ENCRYPTION_KEYS (or ENCRYPTION_KEY). Operator commands run in the container: node dist/cli/admin.js, node dist/cli/keys.js.

# 1. Compile the server and build the web UI into dist/public. npm ci's postinstall generates the Prisma client
#    (offline, no engine download) from prisma/schema.prisma; tsc compiles it into dist/ with the app.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY ui/package.json ./ui/
COPY clients/ts/package.json ./clients/ts/
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY clients/ts ./clients/ts
COPY ui ./ui
RUN npm run build && rm -f dist/.tsbuildinfo && find dist -name '*.map' -delete

# 2. Production dependencies only: no dev tools (the Prisma CLI, TypeScript), no optional packages (the embedded
#    PostgreSQL binaries: production runs on DATABASE_URL), no peer-only packages, none of the web UI's packages (it is
#    prebuilt static files); type declarations and source maps are not needed to run.
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY ui/package.json ./ui/
COPY clients/ts/package.json ./clients/ts/
RUN npm ci --omit=dev --omit=optional --omit=peer --ignore-scripts --workspaces=false --include-workspace-root --no-audit --no-fund \
 && find node_modules -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete \
 && npm cache clean --force

# 3. Runtime.
FROM node:24-slim
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
COPY --chown=node:node prisma/migrations ./prisma/migrations
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# SIGTERM drains in-flight requests for up to SHUTDOWN_TIMEOUT_MS (default 10 s): give the container longer than
# that before SIGKILL (docker stop -t / stop_grace_period / terminationGracePeriodSeconds).
STOPSIGNAL SIGTERM
# --max-semi-space-size=8: V8's young generation at 2 × 8 MB (default 2 × 16 MB), which an idle instance keeps resident.
CMD ["node", "--max-semi-space-size=8", "dist/main.js"]
