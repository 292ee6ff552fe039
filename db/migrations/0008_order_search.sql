-- Order search (GET /api/v1/orders): newest first with (created_at, order_id) as the cursor. Each
-- filter has an index in that order, so a page is an index range read, not a sort of every match.
CREATE INDEX orders_newest ON orders (created_at, order_id);
CREATE INDEX orders_channel_newest ON orders (channel, created_at, order_id);
CREATE INDEX orders_status_newest ON orders (status, created_at, order_id);

-- An order id prefix (`order_id LIKE 'W-10%'`) can use a btree whatever the database's collation.
CREATE INDEX orders_id_prefix ON orders (order_id text_pattern_ops);

-- The orders holding a SKU (search by SKU), and the units of a SKU ordered lately (the inventory
-- view's sell rate).
CREATE INDEX order_lines_sku ON order_lines (sku, order_id);
