/**
 * The demo's model, small but real: a seeded synthetic tabular dataset (loan applications with a
 * binary label and a group attribute), a logistic regression trained on it by gradient descent in
 * plain TypeScript, its weights as float32 bytes, and an evaluation on the held-out split —
 * accuracy, accuracy under feature noise (robustness) and the demographic parity gap between the
 * two groups (fairness) — of the model as read back from those bytes.
 */

/** The features the model reads, in the order of its weights (after the bias). */
export const FEATURES = ['income', 'debt_ratio', 'years_employed', 'credit_lines'] as const;

export interface Row {
  income: number;
  debt_ratio: number;
  years_employed: number;
  credit_lines: number;
  /** The group attribute: not a feature of the model, used to measure fairness. */
  group: 'A' | 'B';
  label: 0 | 1;
}

export interface Model {
  mean: number[];
  std: number[];
  /** bias, then one weight per feature, as float32 (what weights.bin holds). */
  weights: Float32Array;
}

export interface Metrics {
  accuracy: number;
  noisyAccuracy: number;
  parityGap: number;
}

/** mulberry32: a small seeded PRNG, so the data (and with it the model) is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/** `n` rows from `seed`: the label follows a noisy linear score, and group B earns a little less. */
export function syntheticRows(n: number, seed: number): Row[] {
  const rand = prng(seed);
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const group = rand() < 0.5 ? 'A' : 'B';
    const income = round(Math.max(8, 52 + 18 * gaussian(rand) - (group === 'B' ? 3 : 0)), 1);
    const debt_ratio = round(Math.min(0.95, Math.max(0.01, 0.35 + 0.15 * gaussian(rand))), 3);
    const years_employed = round(Math.max(0, 6 + 4 * gaussian(rand)), 1);
    const credit_lines = Math.max(0, Math.round(4 + 2 * gaussian(rand)));
    const score =
      0.06 * (income - 50) - 7 * (debt_ratio - 0.35) + 0.15 * (years_employed - 6) - 0.1 * (credit_lines - 4);
    const label = score + 0.8 * gaussian(rand) > 0 ? 1 : 0;
    rows.push({ income, debt_ratio, years_employed, credit_lines, group, label });
  }
  return rows;
}

/** The rows as CSV, one header line. */
export function toCsv(rows: readonly Row[]): string {
  const header = ['id', ...FEATURES, 'group', 'label'].join(',');
  const lines = rows.map((r, i) => [i, ...FEATURES.map((f) => r[f]), r.group, r.label].join(','));
  return `${header}\n${lines.join('\n')}\n`;
}

function featureVector(r: Row, m: { mean: number[]; std: number[] }, noise?: () => number): number[] {
  return FEATURES.map((f, j) => (r[f] - m.mean[j]!) / m.std[j]! + (noise ? noise() : 0));
}

function probability(weights: ArrayLike<number>, x: readonly number[]): number {
  let z = weights[0]!;
  for (let j = 0; j < x.length; j++) z += weights[j + 1]! * x[j]!;
  return 1 / (1 + Math.exp(-z));
}

/** Logistic regression by full-batch gradient descent on standardized features. */
export function train(rows: readonly Row[], opts = { epochs: 400, learningRate: 0.5 }): Model {
  const mean = FEATURES.map((f) => rows.reduce((s, r) => s + r[f], 0) / rows.length);
  const std = FEATURES.map(
    (f, j) => Math.sqrt(rows.reduce((s, r) => s + (r[f] - mean[j]!) ** 2, 0) / rows.length) || 1,
  );
  const xs = rows.map((r) => featureVector(r, { mean, std }));
  const w = new Array<number>(FEATURES.length + 1).fill(0);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const grad = new Array<number>(w.length).fill(0);
    for (let i = 0; i < rows.length; i++) {
      const err = probability(w, xs[i]!) - rows[i]!.label;
      grad[0]! += err;
      for (let j = 0; j < FEATURES.length; j++) grad[j + 1]! += err * xs[i]![j]!;
    }
    for (let j = 0; j < w.length; j++) w[j]! -= (opts.learningRate * grad[j]!) / rows.length;
  }
  return { mean, std, weights: Float32Array.from(w) };
}

/** weights.bin: the bias and the weights, float32 little-endian. */
export function weightsBytes(model: Model): Uint8Array {
  const bytes = new Uint8Array(model.weights.length * 4);
  const view = new DataView(bytes.buffer);
  model.weights.forEach((w, i) => view.setFloat32(i * 4, w, true));
  return bytes;
}

/** The model again from config.json's standardization and weights.bin's bytes. */
export function readModel(config: { mean: number[]; std: number[] }, bytes: Uint8Array): Model {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const weights = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < weights.length; i++) weights[i] = view.getFloat32(i * 4, true);
  return { mean: config.mean, std: config.std, weights };
}

/** config.json: what a reader needs to run weights.bin. */
export function modelConfig(model: Model): Record<string, unknown> {
  return {
    architecture: 'logistic-regression',
    features: [...FEATURES],
    standardization: { mean: model.mean.map((m) => round(m, 6)), std: model.std.map((s) => round(s, 6)) },
    weights: { file: 'weights.bin', dtype: 'float32', byteOrder: 'little-endian', order: ['bias', ...FEATURES] },
    decisionThreshold: 0.5,
    label: 'approved (1) or declined (0)',
  };
}

/**
 * Accuracy on `rows`; accuracy when every standardized feature gets Gaussian noise of standard
 * deviation 0.25 (seeded); and |P(predicted 1 | group A) - P(predicted 1 | group B)|.
 */
export function evaluate(model: Model, rows: readonly Row[], seed = 7): Metrics {
  const noise = prng(seed);
  let correct = 0;
  let noisyCorrect = 0;
  const positive = { A: 0, B: 0 };
  const count = { A: 0, B: 0 };
  for (const r of rows) {
    const predicted = probability(model.weights, featureVector(r, model)) >= 0.5 ? 1 : 0;
    const noisy =
      probability(
        model.weights,
        featureVector(r, model, () => 0.25 * gaussian(noise)),
      ) >= 0.5
        ? 1
        : 0;
    if (predicted === r.label) correct++;
    if (noisy === r.label) noisyCorrect++;
    count[r.group]++;
    positive[r.group] += predicted;
  }
  return {
    accuracy: round(correct / rows.length, 4),
    noisyAccuracy: round(noisyCorrect / rows.length, 4),
    parityGap: round(Math.abs(positive.A / (count.A || 1) - positive.B / (count.B || 1)), 4),
  };
}
