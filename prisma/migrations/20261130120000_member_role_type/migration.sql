-- member's profile gets a Role type of its own, in member's schema: it no longer names auth's type,
-- so the member role needs nothing in schema auth and member's data can live in a database of its own.
CREATE TYPE "member"."Role" AS ENUM ('USER', 'PARTNER', 'ADMIN');

ALTER TABLE "member"."profile" ALTER COLUMN "role" TYPE "member"."Role" USING ("role"::text::"member"."Role");
