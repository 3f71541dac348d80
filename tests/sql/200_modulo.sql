-- % keeps the sign of the dividend in both engines; % 0 is NULL
SELECT n, n % 3, n % -3, -n % 3, n % 0 FROM vals WHERE n IS NOT NULL ORDER BY n;
