// Parses SQL as Trino (Athena's dialect) with dt-sql-parser's TrinoSQL validator.
// Input (file named by the first argument): [{ "id": "...", "sql": "..." }, ...]
// Output (stdout): [{ "id": "...", "statements": n, "errors": [{ "message", "line", "column" }] }, ...]
import { register } from 'node:module';
import { readFileSync } from 'node:fs';

register('./hooks.mjs', import.meta.url);
const { TrinoSQL } = await import('dt-sql-parser');
const parser = new TrinoSQL();
const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const output = input.map(({ id, sql }) => ({
  id,
  statements: (parser.splitSQLByStatement(sql) ?? []).length,
  errors: parser.validate(sql).map(e => ({ message: e.message, line: e.startLine, column: e.startColumn })),
}));
process.stdout.write(JSON.stringify(output));
