-- Staff accounts: an owner manages the other admins (add, disable, reset passwords); a disabled account is locked out.

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "disabled_at" TIMESTAMPTZ(3),
ADD COLUMN     "owner" BOOLEAN NOT NULL DEFAULT false;

-- Only staff can own the brand.
ALTER TABLE "users" ADD CONSTRAINT "users_owner_is_admin" CHECK (NOT "owner" OR "role" = 'ADMIN');

-- The first admin (the one the first start created) owns the existing install.
UPDATE "users" SET "owner" = true
WHERE "id" = (SELECT "id" FROM "users" WHERE "role" = 'ADMIN' ORDER BY "created_at", "id" LIMIT 1);
