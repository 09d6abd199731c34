/**
 * The lineage graph of an audit document: a fixed left-to-right layout (datasets, training, the
 * artifact, evaluations, registration, approval, promotion, revocations; a base model's chain in
 * the same columns, above), drawn as inline SVG for the HTML report, and exported as DOT and
 * Mermaid. Arrows point from the earlier step to the later one that relies on it.
 */
import { shortDigestText } from '../digest/index.js';
import { escapeDot, escapeHtml, escapeMermaid } from './escape.js';
import type { Audit, AuditNode } from './types.js';

const COLUMNS = [
  'dataset',
  'training',
  'artifact',
  'evaluation',
  'registration',
  'approval',
  'promotion',
  'revocation',
];
const W = 184;
const H = 70;
const GAP_X = 40;
const GAP_Y = 18;
const PAD = 16;

/** Where a node is drawn. */
export interface Placed {
  node: AuditNode;
  x: number;
  y: number;
}

const columnOf = (n: AuditNode): number => {
  const i = COLUMNS.indexOf(n.stage);
  return i < 0 ? COLUMNS.length : i;
};

/** Place the nodes: by column (stage), base-model nodes first, then by issuedAt and id. */
export function layout(audit: Audit): { placed: Map<string, Placed>; width: number; height: number } {
  const columns = new Map<number, AuditNode[]>();
  for (const n of audit.nodes) columns.set(columnOf(n), [...(columns.get(columnOf(n)) ?? []), n]);
  const used = [...columns.keys()].sort((a, b) => a - b);
  const placed = new Map<string, Placed>();
  let rows = 1;
  used.forEach((c, ci) => {
    const list = columns
      .get(c)!
      .sort(
        (a, b) =>
          Number(b.baseModel) - Number(a.baseModel) ||
          (a.issuedAt ?? '').localeCompare(b.issuedAt ?? '') ||
          a.id.localeCompare(b.id),
      );
    rows = Math.max(rows, list.length);
    list.forEach((node, r) => placed.set(node.id, { node, x: PAD + ci * (W + GAP_X), y: PAD + r * (H + GAP_Y) }));
  });
  return { placed, width: PAD * 2 + used.length * (W + GAP_X) - GAP_X, height: PAD * 2 + rows * (H + GAP_Y) - GAP_Y };
}

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The marker text of a node's status. */
export function statusText(n: AuditNode): string {
  switch (n.status) {
    case 'verified':
      return n.stage === 'artifact' ? 'MATCHES THE CHAIN' : 'TRUSTED LINK';
    case 'failing':
      return `FAILED ${n.codes.join(' ') || (n.stage === 'artifact' ? 'NOT VERIFIED' : '')}`.trim();
    case 'revoked':
      return 'REVOKED';
    case 'missing':
      return 'MISSING';
    default:
      return 'NOT PART OF THE VERDICT';
  }
}

function nodeSvg(p: Placed): string {
  const n = p.node;
  const digest = n.stage === 'artifact' ? (n.subjects[0]?.digest ?? '') : n.id;
  const title = `${n.stage}: ${n.label}\n${digest}\n${statusText(n)}`;
  return [
    `<g class="node ${n.status}${n.baseModel ? ' base' : ''}" data-node="${escapeHtml(n.id)}" data-status="${n.status}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<rect x="${p.x}" y="${p.y}" width="${W}" height="${H}" rx="6"/>`,
    `<text x="${p.x + 8}" y="${p.y + 16}" class="stage">${escapeHtml(n.baseModel ? `${n.stage} (base model)` : n.stage)}</text>`,
    `<text x="${p.x + 8}" y="${p.y + 32}">${escapeHtml(clip(n.label, 29))}</text>`,
    `<text x="${p.x + 8}" y="${p.y + 47}" class="digest">${escapeHtml(shortDigestText(digest))}</text>`,
    `<text x="${p.x + 8}" y="${p.y + 62}" class="mark">${escapeHtml(clip(statusText(n), 30))}</text>`,
    '</g>',
  ].join('');
}

/** The lineage as an inline SVG element (every text escaped; no external reference). */
export function renderLineageSvg(audit: Audit): string {
  const { placed, width, height } = layout(audit);
  const edges = audit.edges.flatMap((e) => {
    const later = placed.get(e.from);
    const earlier = placed.get(e.to);
    if (!later || !earlier) return [];
    const x1 = earlier.x + (earlier.x < later.x ? W : 0);
    const x2 = later.x + (earlier.x < later.x ? 0 : W);
    const y1 = earlier.y + H / 2;
    const y2 = later.y + H / 2;
    const bend = earlier.x === later.x ? -40 : (x2 - x1) / 2;
    const d = `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`;
    return [
      `<path class="edge ${escapeHtml(e.role)}" d="${d}" marker-end="url(#arrow)"><title>${escapeHtml(e.role)}</title></path>`,
    ];
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="lineage" role="img" aria-label="lineage" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>',
    ...edges,
    ...[...placed.values()].map(nodeSvg),
    '</svg>',
  ].join('\n');
}

const lineOf = (n: AuditNode): string =>
  `${n.stage}${n.baseModel ? ' (base model)' : ''}\n${n.label}\n${shortDigestText(n.stage === 'artifact' ? (n.subjects[0]?.digest ?? '') : n.id)}\n${statusText(n)}`;

/** The lineage graph in Graphviz DOT. */
export function renderLineageDot(audit: Audit): string {
  const colour: Record<string, string> = {
    verified: 'darkgreen',
    failing: 'red',
    revoked: 'red',
    missing: 'grey',
    outside: 'grey',
  };
  const out = ['digraph lineage {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];'];
  for (const n of audit.nodes) {
    const style = n.status === 'missing' || n.baseModel ? ', style=dashed' : '';
    const label = lineOf(n).split('\n').map(escapeDot).join('\\n');
    out.push(`  "${escapeDot(n.id)}" [label="${label}", color=${colour[n.status]}${style}];`);
  }
  for (const e of audit.edges)
    out.push(`  "${escapeDot(e.to)}" -> "${escapeDot(e.from)}" [label="${escapeDot(e.role)}"];`);
  out.push('}');
  return `${out.join('\n')}\n`;
}

/** The lineage graph as a Mermaid flowchart (labels entity-coded, so no label can break out). */
export function renderLineageMermaid(audit: Audit): string {
  const ids = new Map(audit.nodes.map((n, i) => [n.id, `n${i}`]));
  const out = ['flowchart LR'];
  for (const n of audit.nodes)
    out.push(`  ${ids.get(n.id)}["${lineOf(n).split('\n').map(escapeMermaid).join('<br/>')}"]`);
  for (const e of audit.edges) {
    const a = ids.get(e.to);
    const b = ids.get(e.from);
    if (a && b) out.push(`  ${a} -->|${escapeMermaid(e.role)}| ${b}`);
  }
  for (const n of audit.nodes) out.push(`  class ${ids.get(n.id)} ${n.status}`);
  out.push(
    '  classDef verified stroke:#1a7f37,stroke-width:2px',
    '  classDef failing stroke:#cf222e,stroke-width:3px',
    '  classDef revoked stroke:#cf222e,stroke-width:3px,stroke-dasharray:4',
    '  classDef missing stroke:#8c959f,stroke-dasharray:4',
    '  classDef outside stroke:#8c959f',
  );
  return `${out.join('\n')}\n`;
}
