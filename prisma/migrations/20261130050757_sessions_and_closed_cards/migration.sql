-- CreateEnum
CREATE TYPE "auth"."SessionEnd" AS ENUM ('LOGGED_OUT', 'PASSWORD_CHANGED', 'REVOKED_BY_ADMIN', 'REFRESH_REUSED', 'PASSWORD_GUESSING');

-- AlterTable
ALTER TABLE "rental"."rental_card" ADD COLUMN     "closed_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "auth"."session" (
    "session_id" UUID NOT NULL,
    "member_id" UUID NOT NULL,
    "refresh_hash" TEXT NOT NULL,
    "generation" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "ended_by" "auth"."SessionEnd",
    "password_failures" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "session_pkey" PRIMARY KEY ("session_id")
);

-- CreateIndex
CREATE INDEX "session_member_id_idx" ON "auth"."session"("member_id");
