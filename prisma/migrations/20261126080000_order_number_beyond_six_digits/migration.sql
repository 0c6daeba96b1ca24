-- Order numbers keep at least six digits and grow past them: lpad(n, 6) cut 1000000 to '100000', which repeats an
-- existing number, so every checkout after the millionth order would have failed on orders_number_key.
ALTER TABLE "orders" ALTER COLUMN "number" SET DEFAULT ('OL-'::text || to_char(nextval('order_number_seq'::regclass), 'FM999999999999000000'::text));
