-- a low bound above the high bound matches nothing
SELECT COUNT(*) FROM orders WHERE amount BETWEEN 300 AND 200;
