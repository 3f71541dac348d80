// Used by make-expected: for each test given, runs its "-- duckdb:" lines in DuckDB (statements
// separated by ';', the last one a query) and writes NNN_name.out as CSV rows without a header.
import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
const [dir, ...tests] = process.argv.slice(2);
for (const t of tests) {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const text = fs.readFileSync(`${dir}/${t}`, 'utf8').split('\n').filter(l => l.startsWith('-- duckdb:'))
    .map(l => l.replace(/^-- duckdb: ?/, '')).join('\n');
  const stmts = text.split(/;\s*(?:\n|$)/).map(s => s.trim()).filter(s => s);
  for (const s of stmts.slice(0, -1)) await con.run(s);
  const out = `${dir}/${t.replace(/\.sql$/, '.out')}`;
  await con.run(`COPY (${stmts[stmts.length - 1]}) TO '${out}' (FORMAT csv, HEADER false)`);
  console.log(`${t}: ${fs.readFileSync(out, 'utf8').split('\n').length - 1} rows (DuckDB)`);
}
