-- tables are stored as hdf5 or csv
-- error: tables are stored as hdf5 or csv, not 'parquet'
CREATE TABLE x (a INT) USING parquet;
