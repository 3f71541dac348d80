// Used by make-expected: runs setup.sql's tables and each qNN.sql in DuckDB, writes qNN.out.
import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
const [dir, data] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const ddl = fs.readFileSync(`${dir}/setup.sql`, 'utf8');
for (const m of ddl.matchAll(/CREATE TEMPORARY VIEW (\w+) \((.*?)\) USING csv OPTIONS \(path '\$\{data\}\/(\w+\.csv)'/g)) {
  const cols = m[2].split(/,\s*(?![^()]*\))/).map(c => { const [n, ...t] = c.trim().split(/\s+/); return `'${n}': '${t.join(' ').replace('STRING', 'VARCHAR')}'`; });
  await con.run(`CREATE TABLE ${m[1]} AS SELECT * FROM read_csv('${data}/${m[3]}', header = true, columns = {${cols.join(', ')}})`);
}
for (const f of fs.readdirSync(dir).filter(f => /^q\d\d\.sql$/.test(f)).sort()) {
  const stmts = fs.readFileSync(`${dir}/${f}`, 'utf8').split(';').map(s => s.trim()).filter(s => s && !/^(--[^\n]*\n?)*$/.test(s));
  for (const s of stmts.slice(0, -1)) await con.run(s.replace(/create temporary view/i, 'create or replace temp view'));
  const out = `${dir}/${f.replace('.sql', '.out')}`;
  await con.run(`COPY (${stmts[stmts.length - 1]}) TO '${out}' (FORMAT csv, HEADER false)`);
  console.log(`${f}: ${fs.readFileSync(out, 'utf8').split('\n').length - 1} rows`);
}
