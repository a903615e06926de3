# syntax=docker/dockerfile:1
# Wharf's container image; docs/deployment.md#container explains how to build and run it.

# Build: compile with the dev dependencies, drop them, then unpack the npm package, so the image
# holds exactly the files package.json "files" ships (dist/src, proto, examples) plus the
# production dependencies: the same install that test/e2e/package-install.test.ts serves from.
FROM node:20-bookworm-slim AS build
WORKDIR /src
# onnxruntime-node's install script downloads CUDA files; the CPU binaries ship in the package.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm pack --pack-destination /tmp \
 && mkdir /app \
 && tar -xzf /tmp/wharf-*.tgz -C /app --strip-components=1 \
 && mv node_modules /app/node_modules

# Runtime: production dependencies and the package only, run as the image's non-root user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    WHARF_MODEL_REPOSITORY=/models \
    WHARF_HTTP_PORT=8000 \
    WHARF_GRPC_PORT=8001 \
    WHARF_METRICS_PORT=8002
WORKDIR /app
# Owned by root and read-only to the server: it never writes to its code or its repository.
COPY --from=build /app /app
# The bundled example repository is the default; mount yours over /models.
COPY --from=build /app/examples/models /models
# npm pack stores the bin without its execute bit; npm install would set it.
RUN chmod 755 /app/dist/src/cli/main.js && ln -s /app/dist/src/cli/main.js /usr/local/bin/wharf
USER node
EXPOSE 8000 8001 8002
VOLUME /models
# Liveness: the process is up and answering. Readiness (/v2/health/ready) is for load balancers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.WHARF_HTTP_PORT + '/v2/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["wharf", "serve"]
