-- decimals compare with integers and decimals of another scale; a self-join on a decimal key
-- sqlite: SELECT a.id, b.id FROM prices a JOIN prices b ON a.cents = b.cents * 1 AND a.id <= b.id WHERE a.cents > 100000 AND a.cents IN (51334, 141889, 166801) OR (a.cents > 100000 AND a.id = b.id AND a.cents = 108381) ORDER BY 1, 2;
SELECT a.id, b.id FROM prices a JOIN prices b ON a.price = b.price AND a.id <= b.id WHERE a.price > 1000 AND a.price IN (513.34, 1418.89, 1668.010) OR (a.price > 1000 AND a.id = b.id AND a.price = 1083.81) ORDER BY 1, 2;
