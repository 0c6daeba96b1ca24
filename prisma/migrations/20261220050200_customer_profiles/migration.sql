-- Customers (CRM-lite) are built from orders, keyed by the phone number given at checkout (D2C buyers check out as
-- guests); what staff add about one — a note and tags — lives here.

-- CreateTable
CREATE TABLE "customer_profiles" (
    "phone" TEXT NOT NULL,
    "note" TEXT,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "customer_profiles_pkey" PRIMARY KEY ("phone")
);
