-- sqlite has no to_date: rebuild the ISO string from dd/MM/yyyy; booleans print as 1/0 there: CASE
SELECT id, to_date(ds, 'dd/MM/yyyy'), to_date(ds, 'dd/MM/yyyy') = d FROM events ORDER BY id;
-- sqlite: SELECT id, substr(ds, 7, 4) || '-' || substr(ds, 4, 2) || '-' || substr(ds, 1, 2),
-- sqlite:   CASE WHEN substr(ds, 7, 4) || '-' || substr(ds, 4, 2) || '-' || substr(ds, 1, 2) = d THEN 'true' WHEN NOT (substr(ds, 7, 4) || '-' || substr(ds, 4, 2) || '-' || substr(ds, 1, 2) = d) THEN 'false' END
-- sqlite: FROM events ORDER BY id;
