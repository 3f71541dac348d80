-- error: only DAY and WEEK intervals are supported
SELECT d + INTERVAL 1 MONTH FROM events;
