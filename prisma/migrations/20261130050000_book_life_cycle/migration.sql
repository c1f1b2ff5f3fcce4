-- A withdrawn book: the status nothing could reach (UNAVAILABLE) becomes the final WITHDRAWN.
ALTER TYPE "book"."BookStatus" RENAME VALUE 'UNAVAILABLE' TO 'WITHDRAWN';

-- AlterTable
ALTER TABLE "rental"."book_title" ADD COLUMN     "withdrawn" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "bestbook"."book_rent_count" ADD COLUMN     "withdrawn" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "rental"."fee_settlement" (
    "settlement_id" UUID NOT NULL,
    "member_id" UUID NOT NULL,
    "amount" INTEGER NOT NULL,
    "points_paid" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "settled_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "fee_settlement_pkey" PRIMARY KEY ("settlement_id")
);

-- CreateIndex
CREATE INDEX "fee_settlement_member_id_idx" ON "rental"."fee_settlement"("member_id");
