// After tsc: make the built CLI executable (tsc keeps the shebang but not the mode), and write the
// CLI's command table (dist/cli/commands/table.json: each command's name, summary, help and the
// module that holds it), so `lineproof --help` and `lineproof CMD --help` load no command module
// and a command loads only its own (src/cli/run.ts). Generated from the built modules themselves:
// the texts cannot drift from the commands.
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const bin = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(bin)) chmodSync(bin, 0o755);

const dir = new URL('../dist/cli/commands/', import.meta.url);
if (existsSync(new URL('index.js', dir))) {
  const { COMMANDS } = await import(new URL('index.js', dir).href);
  const where = new Map();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'index.js')) {
    const m = await import(pathToFileURL(new URL(f, dir).pathname).href);
    for (const [name, value] of Object.entries(m))
      if (COMMANDS.includes(value) && !where.has(value)) where.set(value, { module: `./${f}`, export: name });
  }
  const table = COMMANDS.map((c) => {
    const at = where.get(c);
    if (!at) throw new Error(`postbuild: command ${c.name} is exported by no module of dist/cli/commands`);
    return { name: c.name, summary: c.summary, help: c.help, ...at };
  });
  writeFileSync(new URL('table.json', dir), `${JSON.stringify(table, null, 1)}\n`);
}
