// Used by `prisma generate` only; migrations run through scripts/db/ (see README).
import { defineConfig } from 'prisma/config';

export default defineConfig({ schema: 'prisma/schema', migrations: { path: 'prisma/migrations' } });
