-- error: data source 'parquet' is not supported
CREATE TEMPORARY VIEW pq USING parquet OPTIONS (path '${data}/t1.csv');
