# syntax=docker/dockerfile:1.7
# One image per example worker, from the repository root:
#   docker build -f docker/worker.Dockerfile --build-arg WORKER=file-mover -t file-mover .
#   docker build -f docker/worker.Dockerfile --build-arg WORKER=metadata-extractor -t metadata-extractor .
ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS build
ARG PNPM_VERSION=12.21.0
ARG WORKER
RUN test -n "${WORKER}" || (echo "pass --build-arg WORKER=<example name>" >&2 && exit 1)
RUN npm install --global "pnpm@${PNPM_VERSION}"
WORKDIR /src
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch
COPY . .
RUN pnpm install --offline --frozen-lockfile \
 && pnpm build \
 && pnpm --filter "@org/example-${WORKER}" deploy --prod /out

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /out ./
USER node
# A worker has no port: it is healthy while its process runs, and it answers SIGTERM by
# finishing its jobs (up to its grace period) before exiting.
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
