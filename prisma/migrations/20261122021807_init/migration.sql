-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "auth";

-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "member";

-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "partner";

-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "rental";

-- CreateEnum
CREATE TYPE "auth"."Role" AS ENUM ('USER', 'PARTNER', 'ADMIN');

-- CreateEnum
CREATE TYPE "auth"."Gender" AS ENUM ('MALE', 'FEMALE', 'OTHER');

-- CreateEnum
CREATE TYPE "auth"."CredentialStatus" AS ENUM ('PENDING', 'ACTIVE');

-- CreateEnum
CREATE TYPE "rental"."RentStatus" AS ENUM ('AVAILABLE', 'SUSPENDED');

-- CreateTable
CREATE TABLE "auth"."signup_application" (
    "signup_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "birth_date" DATE NOT NULL,
    "gender" "auth"."Gender" NOT NULL,
    "role" "auth"."Role" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "signup_application_pkey" PRIMARY KEY ("signup_id")
);

-- CreateTable
CREATE TABLE "auth"."credential" (
    "member_id" UUID NOT NULL,
    "signup_id" UUID,
    "email" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "birth_date" DATE NOT NULL,
    "gender" "auth"."Gender" NOT NULL,
    "role" "auth"."Role" NOT NULL,
    "status" "auth"."CredentialStatus" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "credential_pkey" PRIMARY KEY ("member_id")
);

-- CreateTable
CREATE TABLE "auth"."outbox" (
    "seq" BIGSERIAL NOT NULL,
    "event_id" UUID NOT NULL,
    "topic" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "envelope" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "member"."profile" (
    "member_id" UUID NOT NULL,
    "signup_id" UUID NOT NULL,
    "nickname" TEXT NOT NULL,
    "role" "auth"."Role" NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "favorite_styles" TEXT[],
    "active" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "profile_pkey" PRIMARY KEY ("member_id")
);

-- CreateTable
CREATE TABLE "member"."outbox" (
    "seq" BIGSERIAL NOT NULL,
    "event_id" UUID NOT NULL,
    "topic" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "envelope" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "partner"."partner_summary" (
    "member_id" UUID NOT NULL,
    "registered_at" TIMESTAMPTZ(3) NOT NULL,
    "rent_count" INTEGER NOT NULL DEFAULT 0,
    "return_count" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "partner_summary_pkey" PRIMARY KEY ("member_id")
);

-- CreateTable
CREATE TABLE "partner"."processed_event" (
    "event_id" UUID NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_event_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "rental"."rental_card" (
    "member_id" UUID NOT NULL,
    "rent_status" "rental"."RentStatus" NOT NULL DEFAULT 'AVAILABLE',
    "late_fee" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rental_card_pkey" PRIMARY KEY ("member_id")
);

-- CreateTable
CREATE TABLE "rental"."outbox" (
    "seq" BIGSERIAL NOT NULL,
    "event_id" UUID NOT NULL,
    "topic" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "envelope" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "credential_signup_id_key" ON "auth"."credential"("signup_id");

-- CreateIndex
CREATE UNIQUE INDEX "credential_email_key" ON "auth"."credential"("email");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_event_id_key" ON "auth"."outbox"("event_id");

-- CreateIndex
CREATE INDEX "outbox_published_at_seq_idx" ON "auth"."outbox"("published_at", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "profile_signup_id_key" ON "member"."profile"("signup_id");

-- CreateIndex
CREATE UNIQUE INDEX "profile_nickname_key" ON "member"."profile"("nickname");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_event_id_key" ON "member"."outbox"("event_id");

-- CreateIndex
CREATE INDEX "outbox_published_at_seq_idx" ON "member"."outbox"("published_at", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_event_id_key" ON "rental"."outbox"("event_id");

-- CreateIndex
CREATE INDEX "outbox_published_at_seq_idx" ON "rental"."outbox"("published_at", "seq");
