-- The seed's category funnel in Spark SQL.
--
--   mpirun -np N src/riffle run jobs/category_funnel.sql \
--       --var events=EVENTS.csv --var products=PRODUCTS.csv --var out=OUTPUT_DIR
--
-- Views over the CSV data, the joined clickstream restricted to the last 30 days of data, the
-- seed's query exactly as written, and the same result written to a directory.

CREATE OR REPLACE TEMPORARY VIEW events
  (user_id BIGINT, product_id BIGINT, event_type STRING, ts TIMESTAMP, date DATE)
  USING csv OPTIONS (path '${events}', header 'true', mode 'FAILFAST');

CREATE OR REPLACE TEMPORARY VIEW products
  (product_id BIGINT, category STRING, price DOUBLE)
  USING csv OPTIONS (path '${products}', header 'true', mode 'FAILFAST');

CREATE OR REPLACE TEMPORARY VIEW clickstream_enriched AS
SELECT e.user_id, e.product_id, e.event_type, e.ts, e.date, p.category, p.price
FROM events e
JOIN products p ON e.product_id = p.product_id
WHERE e.date >= (SELECT date_sub(MAX(date), 30) FROM events);

SELECT category, COUNT(*) AS add_to_cart_events
FROM clickstream_enriched
WHERE event_type = 'add_to_cart'
GROUP BY category
ORDER BY add_to_cart_events DESC
LIMIT 20;

INSERT OVERWRITE DIRECTORY '${out}' USING csv OPTIONS (header 'true')
SELECT category, COUNT(*) AS add_to_cart_events
FROM clickstream_enriched
WHERE event_type = 'add_to_cart'
GROUP BY category
ORDER BY add_to_cart_events DESC, category ASC;
