

ALTER TYPE "OrderStatus" ADD VALUE 'IN_TRANSIT';
ALTER TYPE "OrderStatus" ADD VALUE 'OUT_FOR_DELIVERY';
ALTER TYPE "OrderStatus" ADD VALUE 'DELIVERY_FAILED';
ALTER TYPE "OrderStatus" ADD VALUE 'RTO_INITIATED';
ALTER TYPE "OrderStatus" ADD VALUE 'RETURNED_TO_ORIGIN';

-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "carrier_status" TEXT,
ADD COLUMN     "tracking_url" TEXT;

-- AlterTable
ALTER TABLE "payment_attempts" ADD COLUMN     "remittance_ref" TEXT,
ADD COLUMN     "remitted_at" TIMESTAMPTZ(3),
ADD COLUMN     "remitted_minor" INTEGER;

-- AlterTable
ALTER TABLE "brand_settings" ADD COLUMN     "cod_rto_block_threshold" INTEGER;

-- CreateTable
CREATE TABLE "shipments" (
    "id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "carrier" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'BOOKING',
    "carrier_order_id" TEXT,
    "carrier_shipment_id" TEXT,
    "awb" TEXT,
    "courier_name" TEXT,
    "label_url" TEXT,
    "tracking_url" TEXT,
    "carrier_status" TEXT,
    "cod_amount_minor" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "weight_grams" INTEGER NOT NULL,
    "length_cm" INTEGER NOT NULL,
    "breadth_cm" INTEGER NOT NULL,
    "height_cm" INTEGER NOT NULL,
    "ndr_attempts" INTEGER NOT NULL DEFAULT 0,
    "ndr_reason" TEXT,
    "rto_arrived_at" TIMESTAMPTZ(3),
    "rto_damaged" JSONB,
    "last_event_at" TIMESTAMPTZ(3),
    "next_poll_at" TIMESTAMPTZ(3),
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "shipments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "shipment_events" (
    "id" UUID NOT NULL,
    "shipment_id" UUID NOT NULL,
    "carrier" TEXT NOT NULL,
    "carrier_event_id" TEXT NOT NULL,
    "parcel_status" TEXT,
    "carrier_status" TEXT NOT NULL,
    "reason" TEXT,
    "source" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "payload" JSONB NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "shipment_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customer_rto_counts" (
    "phone_key" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "customer_rto_counts_pkey" PRIMARY KEY ("phone_key")
);

-- CreateIndex
CREATE INDEX "shipments_order_id_idx" ON "shipments"("order_id");

-- CreateIndex
CREATE INDEX "shipments_state_next_poll_at_idx" ON "shipments"("state", "next_poll_at");

-- CreateIndex
CREATE UNIQUE INDEX "shipments_carrier_awb_key" ON "shipments"("carrier", "awb");

-- CreateIndex
CREATE INDEX "shipment_events_shipment_id_occurred_at_idx" ON "shipment_events"("shipment_id", "occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "shipment_events_carrier_carrier_event_id_key" ON "shipment_events"("carrier", "carrier_event_id");

-- AddForeignKey
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "shipment_events" ADD CONSTRAINT "shipment_events_shipment_id_fkey" FOREIGN KEY ("shipment_id") REFERENCES "shipments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Hand-written: one live shipment per order (cancelled and failed bookings stay as history), and the invariants.
CREATE UNIQUE INDEX "shipments_one_live_per_order" ON "shipments"("order_id") WHERE "state" IN ('BOOKING', 'BOOKED', 'CLOSED');
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_state_check" CHECK ("state" IN ('BOOKING', 'BOOKED', 'CLOSED', 'CANCELLED', 'FAILED'));
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_amounts_check"
  CHECK ("cod_amount_minor" >= 0 AND "weight_grams" > 0 AND "length_cm" > 0 AND "breadth_cm" > 0 AND "height_cm" > 0 AND "ndr_attempts" >= 0);
ALTER TABLE "shipment_events" ADD CONSTRAINT "shipment_events_outcome_check" CHECK ("outcome" IN ('APPLIED', 'STALE', 'IGNORED'));
ALTER TABLE "customer_rto_counts" ADD CONSTRAINT "customer_rto_counts_count_check" CHECK ("count" >= 0);
ALTER TABLE "payment_attempts" ADD CONSTRAINT "payment_attempts_remitted_check" CHECK ("remitted_minor" IS NULL OR "remitted_minor" >= 0);
ALTER TABLE "brand_settings" ADD CONSTRAINT "brand_settings_cod_rto_block_threshold_check"
  CHECK ("cod_rto_block_threshold" IS NULL OR "cod_rto_block_threshold" >= 1);
