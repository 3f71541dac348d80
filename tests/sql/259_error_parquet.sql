-- error: data source 'parquet' is not supported yet
CREATE TEMPORARY VIEW pq USING parquet OPTIONS (path '${data}/t1.csv');
