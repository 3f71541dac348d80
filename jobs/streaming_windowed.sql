-- Events per product category per 10-minute window, as a streaming query over clickstream event
-- files (scripts/gen-clickstream's events.csv layout) arriving in ${landing}: a window is written
-- once, when the watermark (the latest event time seen, less 5 minutes) has passed its end; events
-- for a window already written arrive too late and are dropped (Spark's append mode).
--
--   mpirun -np N src/riffle run jobs/streaming_windowed.sql --var landing=DIR --var products=FILE.csv \
--       --var out=DIR --var checkpoint=DIR --var trigger=availableNow   (or once, default, "1 minute")

CREATE OR REPLACE TEMPORARY VIEW events (user_id BIGINT, product_id BIGINT, event_type STRING, ts TIMESTAMP, date DATE)
  USING csv OPTIONS (path '${landing}', header 'true');
CREATE OR REPLACE TEMPORARY VIEW products USING csv OPTIONS (path '${products}', header 'true', inferSchema 'true');

INSERT INTO DIRECTORY '${out}' USING csv
  OPTIONS (checkpointLocation '${checkpoint}', outputMode 'append', trigger '${trigger}')
SELECT window.start AS window_start, window.end AS window_end, p.category, count(*) AS events
FROM STREAM events WATERMARK ts DELAY OF INTERVAL 5 MINUTES e
JOIN products p ON e.product_id = p.product_id
GROUP BY window(e.ts, '10 minutes'), p.category;
