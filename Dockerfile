# One image for the four app processes (see docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN bash scripts/db/generate.sh
ENV NODE_ENV=production
CMD ["node", "--min-semi-space-size=16", "--max-semi-space-size=16", "--import", "tsx", "processes/api.ts"]
