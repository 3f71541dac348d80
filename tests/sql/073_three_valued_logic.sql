SELECT k, v, CASE WHEN v > 20 OR k > 5 THEN 't' WHEN NOT (v > 20 OR k > 5) THEN 'f' ELSE 'n' END AS or_,
             CASE WHEN v > 20 AND k > 5 THEN 't' WHEN NOT (v > 20 AND k > 5) THEN 'f' ELSE 'n' END AS and_
FROM t1 ORDER BY k, v;
