-- AlterTable
ALTER TABLE "partner"."partner_summary" ALTER COLUMN "registered_at" DROP NOT NULL;

-- CreateTable
CREATE TABLE "partner"."erased_member" (
    "member_id" UUID NOT NULL,
    "erased_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "erased_member_pkey" PRIMARY KEY ("member_id")
);
