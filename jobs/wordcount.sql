-- The seed's word count in Spark SQL.
--
--   mpirun -np N src/riffle run jobs/wordcount.sql --var input=TEXT_FILE_OR_DIR --var out=OUTPUT_DIR

CREATE OR REPLACE TEMPORARY VIEW lines USING text OPTIONS (path '${input}');

CREATE OR REPLACE TEMPORARY VIEW words AS
SELECT explode(split(value, '\\s+')) AS word FROM lines;

INSERT OVERWRITE DIRECTORY '${out}' USING csv OPTIONS (header 'true')
SELECT word, COUNT(*) AS count
FROM words
WHERE word != ''
GROUP BY word
ORDER BY count DESC, word ASC;
