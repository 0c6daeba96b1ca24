-- Which order events a brand's customers are told about: a JSON array of event names, or NULL for the install's
-- default (NOTIFY_EVENTS for the default brand, the built-in list for others).
ALTER TABLE "brand_settings" ADD COLUMN "notify_events" JSONB;
ALTER TABLE "brand_settings" ADD CONSTRAINT "brand_settings_notify_events_array" CHECK ("notify_events" IS NULL OR jsonb_typeof("notify_events") = 'array');
