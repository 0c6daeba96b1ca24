-- The catalogue knows drops (README "Drops"): each product's governing drop (of the drops listing its variants, the one
-- that starts last, as checkout applies it) for its purchasable flag and countdown, and a drop's changes notify the
-- catalogue listeners (product read caches, live streams) like a product edit does.

CREATE VIEW "product_drops" AS
  SELECT DISTINCT ON (v.product_id)
         v.product_id, d.id AS drop_id, d.name, d.starts_at, d.ends_at, d.early_access_starts_at
  FROM "drop_variants" dv
  JOIN "drops" d ON d.id = dv.drop_id
  JOIN "variants" v ON v.id = dv.variant_id
  ORDER BY v.product_id, d.starts_at DESC, d.id;
ALTER VIEW "product_drops" SET (security_invoker = true);

-- A drop's times or name changed: its variants' products.
CREATE FUNCTION orderline_live_drops() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM orderline_live_catalogue(array_agg(p.product_id), array_agg(now()))
  FROM (SELECT DISTINCT v.product_id FROM live_new_rows n JOIN "drop_variants" dv ON dv.drop_id = n.id JOIN "variants" v ON v.id = dv.variant_id) p
  HAVING count(*) > 0;
  RETURN NULL;
END
$$;

-- Variants joined or left a drop (a drop created, its products changed, or deleted): their products.
CREATE FUNCTION orderline_live_drop_variants() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM orderline_live_catalogue(array_agg(p.product_id), array_agg(now()))
  FROM (SELECT DISTINCT v.product_id FROM live_changed_rows c JOIN "variants" v ON v.id = c.variant_id) p
  HAVING count(*) > 0;
  RETURN NULL;
END
$$;

CREATE TRIGGER drops_live_update AFTER UPDATE ON "drops"
  REFERENCING NEW TABLE AS live_new_rows FOR EACH STATEMENT EXECUTE FUNCTION orderline_live_drops();
CREATE TRIGGER drop_variants_live_insert AFTER INSERT ON "drop_variants"
  REFERENCING NEW TABLE AS live_changed_rows FOR EACH STATEMENT EXECUTE FUNCTION orderline_live_drop_variants();
CREATE TRIGGER drop_variants_live_delete AFTER DELETE ON "drop_variants"
  REFERENCING OLD TABLE AS live_changed_rows FOR EACH STATEMENT EXECUTE FUNCTION orderline_live_drop_variants();
