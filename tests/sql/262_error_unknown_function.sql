-- error: unknown function 'foo'
SELECT foo(k) FROM t1;
