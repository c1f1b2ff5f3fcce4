-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "bestbook";

-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "book";

-- CreateEnum
CREATE TYPE "book"."BookStatus" AS ENUM ('AVAILABLE', 'RENTED', 'UNAVAILABLE');

-- CreateEnum
CREATE TYPE "rental"."ItemStatus" AS ENUM ('PENDING', 'RENTED', 'RETURNED');

-- CreateTable
CREATE TABLE "bestbook"."book_rent_count" (
    "book_no" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "rent_count" INTEGER NOT NULL DEFAULT 0,
    "title_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "book_rent_count_pkey" PRIMARY KEY ("book_no")
);

-- CreateTable
CREATE TABLE "bestbook"."processed_event" (
    "event_id" UUID NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_event_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "book"."book" (
    "book_no" SERIAL NOT NULL,
    "title" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "status" "book"."BookStatus" NOT NULL DEFAULT 'AVAILABLE',
    "rental_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "book_pkey" PRIMARY KEY ("book_no")
);

-- CreateTable
CREATE TABLE "book"."outbox" (
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
CREATE TABLE "member"."point_entry" (
    "key" TEXT NOT NULL,
    "member_id" UUID NOT NULL,
    "delta" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "point_entry_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "member"."rental_history" (
    "rental_id" UUID NOT NULL,
    "member_id" UUID NOT NULL,
    "book_no" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "rented_at" TIMESTAMPTZ(3) NOT NULL,
    "returned_at" TIMESTAMPTZ(3),

    CONSTRAINT "rental_history_pkey" PRIMARY KEY ("rental_id")
);

-- CreateTable
CREATE TABLE "member"."processed_event" (
    "event_id" UUID NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_event_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "rental"."rental_item" (
    "rental_id" UUID NOT NULL,
    "member_id" UUID NOT NULL,
    "book_no" INTEGER NOT NULL,
    "status" "rental"."ItemStatus" NOT NULL,
    "rented_at" TIMESTAMPTZ(3) NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "overdue" BOOLEAN NOT NULL DEFAULT false,
    "return_id" UUID,
    "returned_at" TIMESTAMPTZ(3),
    "late_fee" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "rental_item_pkey" PRIMARY KEY ("rental_id")
);

-- CreateTable
CREATE TABLE "rental"."clearance" (
    "clearance_id" UUID NOT NULL,
    "member_id" UUID NOT NULL,
    "amount" INTEGER NOT NULL,
    "cleared_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "clearance_pkey" PRIMARY KEY ("clearance_id")
);

-- CreateTable
CREATE TABLE "rental"."book_title" (
    "book_no" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "book_title_pkey" PRIMARY KEY ("book_no")
);

-- CreateTable
CREATE TABLE "rental"."processed_event" (
    "event_id" UUID NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_event_pkey" PRIMARY KEY ("event_id")
);

-- CreateIndex
CREATE INDEX "book_rent_count_rent_count_book_no_idx" ON "bestbook"."book_rent_count"("rent_count" DESC, "book_no");

-- CreateIndex
CREATE INDEX "book_status_idx" ON "book"."book"("status");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_event_id_key" ON "book"."outbox"("event_id");

-- CreateIndex
CREATE INDEX "outbox_published_at_seq_idx" ON "book"."outbox"("published_at", "seq");

-- CreateIndex
CREATE INDEX "point_entry_member_id_idx" ON "member"."point_entry"("member_id");

-- CreateIndex
CREATE INDEX "rental_history_member_id_rented_at_idx" ON "member"."rental_history"("member_id", "rented_at");

-- CreateIndex
CREATE UNIQUE INDEX "rental_item_return_id_key" ON "rental"."rental_item"("return_id");

-- CreateIndex
CREATE INDEX "rental_item_member_id_status_idx" ON "rental"."rental_item"("member_id", "status");

-- AddForeignKey
ALTER TABLE "rental"."rental_item" ADD CONSTRAINT "rental_item_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "rental"."rental_card"("member_id") ON DELETE CASCADE ON UPDATE CASCADE;
