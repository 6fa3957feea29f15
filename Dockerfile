# The certkit controller image (compose services certkit-init and certkit). `docker compose build` or the first
# `docker compose --profile certbot up` builds it from this repository.
ARG NODE_IMAGE=node:20.19-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY tools/bundle.js ./tools/
COPY tools/bundle-stubs ./tools/bundle-stubs
COPY src ./src
# tsc, then the CLI bundle (esbuild: its binary comes with the platform's optional @esbuild/* package, no install script).
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM ${NODE_IMAGE}
WORKDIR /opt/certkit
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY templates ./templates
ENTRYPOINT ["node", "/opt/certkit/bin/certkit.js"]
CMD ["daemon"]
