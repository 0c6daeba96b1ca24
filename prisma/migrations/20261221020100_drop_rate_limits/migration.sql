-- Drop checkouts admitted per client IP and per phone in fixed windows: a rate limit all instances share.
CREATE TABLE "drop_rate_limits" (
    "brand_id" UUID NOT NULL DEFAULT orderline_new_row_brand_id(),
    "key" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "hits" INTEGER NOT NULL,

    CONSTRAINT "drop_rate_limits_pkey" PRIMARY KEY ("brand_id","key","window_start")
);

ALTER TABLE "drop_rate_limits" ENABLE ROW LEVEL SECURITY;
CREATE POLICY brand_isolation ON "drop_rate_limits" USING ("brand_id" = orderline_brand_id()) WITH CHECK ("brand_id" = orderline_brand_id());
