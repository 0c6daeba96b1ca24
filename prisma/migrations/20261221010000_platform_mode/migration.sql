-- Platform mode (README "Brands"): the platform-admin role, host names mapped to brands (a reference table read across
-- brands, like brands itself: no row-level security), and refresh tokens unique per brand (the key leads with brand_id).

-- AlterEnum
ALTER TYPE "Role" ADD VALUE 'PLATFORM_ADMIN';

-- DropIndex
DROP INDEX "refresh_tokens_token_hash_key";

-- CreateTable
CREATE TABLE "brand_hosts" (
    "host" TEXT NOT NULL,
    "brand_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "brand_hosts_pkey" PRIMARY KEY ("host")
);

-- CreateIndex
CREATE INDEX "brand_hosts_brand_id_idx" ON "brand_hosts"("brand_id");

-- CreateIndex
CREATE UNIQUE INDEX "refresh_tokens_brand_id_token_hash_key" ON "refresh_tokens"("brand_id", "token_hash");

-- AddForeignKey
ALTER TABLE "brand_hosts" ADD CONSTRAINT "brand_hosts_brand_id_fkey" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE CASCADE;

