-- CreateTable
CREATE TABLE "rental"."cancelled_rental" (
    "rental_id" UUID NOT NULL,
    "cancelled_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cancelled_rental_pkey" PRIMARY KEY ("rental_id")
);
