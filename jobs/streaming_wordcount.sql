-- The seed's word count as a streaming query: text files arriving in ${landing}, the running count
-- of every word rewritten (atomically) into ${out} after each batch.
--
--   mpirun -np N src/riffle run jobs/streaming_wordcount.sql --var landing=DIR --var out=DIR \
--       --var checkpoint=DIR --var trigger=availableNow   (or once, default, "30 seconds")
--
-- Stopped (SIGTERM, Slurm's --signal) or killed, it starts again where the checkpoint says.

CREATE OR REPLACE TEMPORARY VIEW lines USING text OPTIONS (path '${landing}');

INSERT INTO DIRECTORY '${out}' USING csv
  OPTIONS (checkpointLocation '${checkpoint}', outputMode 'complete', trigger '${trigger}')
SELECT word, count(*) AS count
FROM STREAM lines LATERAL VIEW explode(split(value, '\\s+')) w AS word
WHERE word != ''
GROUP BY word;
