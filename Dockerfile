# The control tower: one image for every role (ROLE=all, api or worker).

# Build: every dependency, the SvelteKit dashboard into web/build, then drop the dev dependencies.
# The whole source is copied first because npm's `prepare` script syncs the SvelteKit app.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm ci && npm run build && npm prune --omit=dev

# Run: the sources (executed by tsx), production dependencies and the built dashboard.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
# DATA_DIR is used only without DATABASE_URL (embedded PostgreSQL); it must be writable by `node`.
RUN mkdir -p .data && chown node:node .data
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "realtime/main.ts"]
