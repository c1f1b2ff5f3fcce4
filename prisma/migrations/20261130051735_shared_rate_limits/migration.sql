-- CreateTable
CREATE TABLE "auth"."rate_attempt" (
    "id" BIGSERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rate_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "rate_attempt_key_at_idx" ON "auth"."rate_attempt"("key", "at");

-- CreateIndex
CREATE INDEX "rate_attempt_expires_at_idx" ON "auth"."rate_attempt"("expires_at");
