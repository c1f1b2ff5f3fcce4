-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "notifications";

-- CreateEnum
CREATE TYPE "notifications"."NoticeKind" AS ENUM ('WELCOME', 'RENTED', 'DUE_SOON', 'OVERDUE', 'RETURNED', 'OVERDUE_CLEARED');

-- CreateEnum
CREATE TYPE "notifications"."NoticeDelivery" AS ENUM ('PENDING', 'SENT', 'NO_ADDRESS');

-- CreateTable
CREATE TABLE "auth"."signup_verification" (
    "signup_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "mailed_at" TIMESTAMPTZ(3),
    "confirmed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "signup_verification_pkey" PRIMARY KEY ("signup_id")
);

-- CreateTable
CREATE TABLE "notifications"."notice" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "member_id" UUID NOT NULL,
    "kind" "notifications"."NoticeKind" NOT NULL,
    "book_no" INTEGER,
    "due_at" TIMESTAMPTZ(3),
    "late_fee" INTEGER,
    "amount" INTEGER,
    "delivery" "notifications"."NoticeDelivery" NOT NULL DEFAULT 'PENDING',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "notice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notifications"."erased_member" (
    "member_id" UUID NOT NULL,
    "erased_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "erased_member_pkey" PRIMARY KEY ("member_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "notice_key_key" ON "notifications"."notice"("key");

-- CreateIndex
CREATE INDEX "notice_member_id_created_at_idx" ON "notifications"."notice"("member_id", "created_at");
