// The public API report: every name exported by the package's entry points (`lineproof`,
// `lineproof/node`, `lineproof/inventory`), with its kind and declaration, read with the TypeScript
// compiler API from the built declaration files (dist/index.d.ts, dist/node/index.d.ts,
// dist/inventory/index.d.ts), so it depends only on what the
// package exposes, never on which internal file a name lives in.
//
//   node scripts/api-report.mjs           print the report
//   node scripts/api-report.mjs --write   write it to api/lineproof.api.md (npm run api:update)
//   node scripts/api-report.mjs --check   exit 1 when api/lineproof.api.md differs
//   node scripts/api-report.mjs --json    {report, names: {entry: [name, ...]}} (test/api.test.ts)
//
// Run `npm run build` first: the report reads dist/.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { argv, exit, stderr, stdout } from 'node:process';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const REPORT_PATH = join(ROOT, 'api', 'lineproof.api.md');
const ENTRIES = [
  { name: 'lineproof', file: join(ROOT, 'dist', 'index.d.ts') },
  { name: 'lineproof/node', file: join(ROOT, 'dist', 'node', 'index.d.ts') },
  { name: 'lineproof/inventory', file: join(ROOT, 'dist', 'inventory', 'index.d.ts') },
];

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

function kindOf(decl) {
  if (ts.isFunctionDeclaration(decl)) return 'function';
  if (ts.isClassDeclaration(decl)) return 'class';
  if (ts.isInterfaceDeclaration(decl)) return 'interface';
  if (ts.isTypeAliasDeclaration(decl)) return 'type';
  if (ts.isEnumDeclaration(decl)) return 'enum';
  if (ts.isModuleDeclaration(decl)) return 'namespace';
  if (ts.isVariableDeclaration(decl)) {
    return decl.parent.flags & ts.NodeFlags.Const ? 'const' : 'let';
  }
  return ts.SyntaxKind[decl.kind];
}

/** The declaration as source text without comments, `export`/`declare`, or inline import paths. */
function declarationText(decl) {
  let node = decl;
  if (ts.isVariableDeclaration(decl)) {
    // One declaration of a possibly multi-name statement, printed as `const name: type;`.
    const list = ts.factory.createVariableDeclarationList([decl], decl.parent.flags & ts.NodeFlags.BlockScoped);
    node = ts.factory.createVariableStatement(undefined, list);
  } else if (ts.canHaveModifiers(decl)) {
    const keep = (ts.getModifiers(decl) ?? []).filter(
      (m) => m.kind !== ts.SyntaxKind.ExportKeyword && m.kind !== ts.SyntaxKind.DeclareKeyword,
    );
    node = stripModifiers(decl, keep);
  }
  const text = printer.printNode(ts.EmitHint.Unspecified, node, decl.getSourceFile());
  // `import("../x.js").T` names an internal file: keep the type name only.
  return text.replace(/import\("[^"]*"\)\./g, '');
}

function stripModifiers(decl, modifiers) {
  const f = ts.factory;
  const mods = modifiers.length ? modifiers : undefined;
  if (ts.isFunctionDeclaration(decl)) {
    return f.updateFunctionDeclaration(
      decl,
      mods,
      decl.asteriskToken,
      decl.name,
      decl.typeParameters,
      decl.parameters,
      decl.type,
      undefined,
    );
  }
  if (ts.isClassDeclaration(decl)) {
    return f.updateClassDeclaration(decl, mods, decl.name, decl.typeParameters, decl.heritageClauses, decl.members);
  }
  if (ts.isInterfaceDeclaration(decl)) {
    return f.updateInterfaceDeclaration(decl, mods, decl.name, decl.typeParameters, decl.heritageClauses, decl.members);
  }
  if (ts.isTypeAliasDeclaration(decl)) {
    return f.updateTypeAliasDeclaration(decl, mods, decl.name, decl.typeParameters, decl.type);
  }
  if (ts.isEnumDeclaration(decl)) return f.updateEnumDeclaration(decl, mods, decl.name, decl.members);
  return decl;
}

/** Exported names of one entry point: name -> { kind, text } (kinds joined when a name is a value and a type). */
function exportsOf(program, checker, file) {
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`${file} not found: run npm run build first`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  const out = new Map();
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const decls = symbol.declarations ?? [];
    if (decls.length === 0) throw new Error(`${exported.name}: no declaration`);
    const kinds = [...new Set(decls.map(kindOf))];
    const texts = decls.map(declarationText);
    const local = symbol.name !== exported.name ? ` (declared as ${symbol.name})` : '';
    out.set(exported.name, { kind: kinds.join(' + ') + local, text: texts.join('\n') });
  }
  return out;
}

/** The report's text and each entry point's exported names. */
export function apiSurface() {
  const program = ts.createProgram(
    ENTRIES.map((e) => e.file),
    {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      skipLibCheck: true,
      types: ['node'],
      noEmit: true,
    },
  );
  const checker = program.getTypeChecker();
  const surfaces = ENTRIES.map((e) => ({ ...e, names: exportsOf(program, checker, e.file) }));
  const lines = [
    '# Lineproof public API',
    '',
    'Generated by `npm run api:update` (scripts/api-report.mjs) from the built declaration files; do',
    'not edit by hand. test/api.test.ts fails when the package surface differs from this file, so',
    'every change to what users can import shows here in review.',
    '',
  ];
  const [root] = surfaces;
  for (const s of surfaces) {
    const names = [...s.names.keys()].sort();
    const own = s === root ? names : names.filter((n) => !root.names.has(n));
    const inherited = s === root ? [] : names.filter((n) => root.names.has(n));
    lines.push(`## ${s.name}`, '');
    if (s !== root) {
      const missing = [...root.names.keys()].filter((n) => !s.names.has(n));
      lines.push(
        missing.length === 0
          ? `Every export of \`${root.name}\` (${inherited.length} names), and these ${own.length}:`
          : `${inherited.length} exports of \`${root.name}\` (not: ${missing.sort().join(', ')}), and these ${own.length}:`,
        '',
      );
    } else {
      lines.push(`${own.length} names.`, '');
    }
    for (const n of own) {
      const { kind, text } = s.names.get(n);
      lines.push(`### ${n}`, '', `${kind}`, '', '```ts', text, '```', '');
    }
  }
  return {
    report: lines.join('\n'),
    names: Object.fromEntries(surfaces.map((s) => [s.name, [...s.names.keys()].sort()])),
  };
}

const isMain = argv[1] && fileURLToPath(import.meta.url) === argv[1];
if (isMain) {
  const { report: text, names } = apiSurface();
  const mode = argv[2];
  if (mode === '--json') {
    stdout.write(JSON.stringify({ report: text, names }));
  } else if (mode === '--write') {
    mkdirSync(dirname(REPORT_PATH), { recursive: true });
    writeFileSync(REPORT_PATH, text);
    stdout.write(`wrote ${REPORT_PATH}\n`);
  } else if (mode === '--check') {
    const committed = existsSync(REPORT_PATH) ? readFileSync(REPORT_PATH, 'utf8') : '';
    if (committed !== text) {
      stderr.write(`${REPORT_PATH} is out of date with dist/: run npm run api:update and review the diff\n`);
      exit(1);
    }
  } else {
    stdout.write(text);
  }
}
