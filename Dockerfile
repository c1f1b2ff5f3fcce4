# One image for the four app processes (see docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN bash scripts/db/generate.sh
ENV NODE_ENV=production
CMD ["node", "--import", "tsx", "processes/api.ts"]
