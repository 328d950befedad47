# syntax=docker/dockerfile:1
# The worker's container image (ECS Fargate; builds for arm64 or amd64). From the repository root:
#   docker build -t stepless-worker .
# Configuration is the environment: see README, "Worker configuration".

# 1. Build: the workflow code bundled ahead of time and the worker as one file (scripts/build-worker.ts).
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY workflows ./workflows
COPY domain ./domain
COPY runtime ./runtime
COPY worker ./worker
COPY lambdas ./lambdas
COPY scripts/build-worker.ts scripts/run-main.ts scripts/worker-lockfile.ts ./scripts/
COPY infra/local/exec.ts infra/local/paths.ts ./infra/local/
RUN npx tsx scripts/build-worker.ts --out dist/worker

# 2. The few packages main.js still loads at run time (the Temporal SDK, with its native core), from
#    the lockfile the build cut out of the repository's: the versions the tests ran, nothing floats.
FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY --from=build /app/dist/worker/package.json /app/dist/worker/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# 3. Run: no compiler, no dev dependencies, not root.
FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps --chown=1000:1000 /app/node_modules ./node_modules
COPY --from=build --chown=1000:1000 /app/dist/worker ./
# The image's "node" user, by number so that the runtime can check it is not root.
USER 1000:1000
# ECS sends SIGTERM, waits stopTimeout, then SIGKILL; the worker drains within WORKER_SHUTDOWN_GRACE_MS.
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "main.js"]
