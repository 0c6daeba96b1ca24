-- Shipping (20261220030000) and customer notes (20261220050200) were written beside the brands migration; their
-- tables become brand-owned like every other: brand_id first in their keys, and the brand_isolation policy.

ALTER TABLE "shipments" ADD COLUMN "brand_id" UUID NOT NULL DEFAULT orderline_new_row_brand_id();
UPDATE "shipments" s SET "brand_id" = o."brand_id" FROM "orders" o WHERE o."id" = s."order_id" AND s."brand_id" <> o."brand_id";
DROP INDEX "shipments_carrier_awb_key";
CREATE UNIQUE INDEX "shipments_brand_id_carrier_awb_key" ON "shipments"("brand_id", "carrier", "awb");

ALTER TABLE "shipment_events" ADD COLUMN "brand_id" UUID NOT NULL DEFAULT orderline_new_row_brand_id();
UPDATE "shipment_events" e SET "brand_id" = s."brand_id" FROM "shipments" s WHERE s."id" = e."shipment_id" AND e."brand_id" <> s."brand_id";
DROP INDEX "shipment_events_carrier_carrier_event_id_key";
CREATE UNIQUE INDEX "shipment_events_brand_id_carrier_carrier_event_id_key" ON "shipment_events"("brand_id", "carrier", "carrier_event_id");

ALTER TABLE "customer_rto_counts" ADD COLUMN "brand_id" UUID NOT NULL DEFAULT orderline_new_row_brand_id();
ALTER TABLE "customer_rto_counts" DROP CONSTRAINT "customer_rto_counts_pkey";
ALTER TABLE "customer_rto_counts" ADD CONSTRAINT "customer_rto_counts_pkey" PRIMARY KEY ("brand_id", "phone_key");

ALTER TABLE "customer_profiles" ADD COLUMN "brand_id" UUID NOT NULL DEFAULT orderline_new_row_brand_id();
ALTER TABLE "customer_profiles" DROP CONSTRAINT "customer_profiles_pkey";
ALTER TABLE "customer_profiles" ADD CONSTRAINT "customer_profiles_pkey" PRIMARY KEY ("brand_id", "phone");

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['shipments', 'shipment_events', 'customer_rto_counts', 'customer_profiles'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY brand_isolation ON %I USING ("brand_id" = orderline_brand_id()) WITH CHECK ("brand_id" = orderline_brand_id())', t);
  END LOOP;
END $$;
