SELECT COUNT(*), SUM(id), MAX(v) FROM empty;
