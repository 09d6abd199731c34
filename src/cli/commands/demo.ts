/**
 * `lineproof demo`: the whole lifecycle in one folder that stays, every step run through this
 * CLI in-process and printed as the command that redoes it (src/cli/demo/).
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, relative, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTimestamp } from '../../time/index.js';
import { parseCommandArgs, resolvePath } from '../args.js';
import { lifecycle, keysAndPolicy, makeDataAndModel, CHAIN } from '../demo/lifecycle.js';
import { rejections } from '../demo/rejections.js';
import { DemoRunner, shellWord } from '../demo/runner.js';
import { clearLayout, isPreviousDemo, jsonSummary, layoutText, writeCommands } from '../demo/summary.js';
import { usage } from '../errors.js';
import { EXIT, type CliContext, type Command } from '../types.js';

const HELP = `Usage: lineproof demo [--dir DIR] [--force] [--json | --quiet]

The whole lifecycle, in a folder that stays: a synthetic tabular dataset (2,000 loan applications,
seeded), a logistic regression trained on 1,500 of them in-process, its evaluation on the other 500
(accuracy, accuracy under feature noise, demographic parity gap between two groups), keys for seven
identities, a policy, then dataset -> training -> registration -> evaluation -> approval (two
approvers) -> promotion attested, the chain verified and its audit page written; then three
rejections built as files and verified: a flipped weight byte, an approval signed by the trainer,
an expired approval. Each step runs through this CLI and is printed as the exact command that
redoes it, in DIR; DIR/COMMANDS.sh holds them all.

The folder (DIR, default ./lineproof-demo):
  keys/NAME.key, NAME.pub   steward, trainer, registrar, evaluator, alice, bob, deployer (not encrypted)
  policy.json               the trust root: keys, roles, risk tiers and their gates, use cases
  dataset/                  train.csv, test.csv
  model/                    weights.bin (float32 bias and weights), config.json
  chain.intoto.jsonl        the attestations, one DSSE envelope a line
  report.html               the audit page of the verified chain
  rejected/NAME/            one folder per rejection: flipped-weight/ (model/, report.html),
                            approval-by-trainer/ and expired-approval/ (chain.intoto.jsonl)
  COMMANDS.sh               every command, in order: 'sh DIR/COMMANDS.sh' redoes them

Options:
  --dir DIR    the folder (created; default ./lineproof-demo). A folder that is not empty is
               refused unless it holds a previous demo (its COMMANDS.sh says so) or --force;
               either way only the entries above are replaced, nothing else is removed
  --force      use a folder that is not empty and not a previous demo's
  --json       print a machine summary instead: {ok, dir, seconds, metrics, steps: [{id,
               command, args, exit, expectedExit, codes, expectedCodes, ok}], rejections, files,
               problems}
  --quiet      print only the layout and the verdict

Exit codes: 0 every step behaved as expected (the rejections included); 1 some step did not (each
listed); 2 usage error, or a folder refused.

Examples:
  npx lineproof demo
  npx lineproof demo --dir /tmp/lp-demo --quiet && sh /tmp/lp-demo/COMMANDS.sh
  npx lineproof demo --json | jq '.rejections'
`;

/**
 * How the printed commands call this CLI: \`npx lineproof\` where DIR lies in the project that
 * holds this package (npx finds its bin there), else with --prefix naming that project.
 */
function cliPrefix(dir: string): string {
  const pkg = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
  const project = basename(dirname(pkg)) === 'node_modules' ? dirname(dirname(pkg)) : pkg;
  const rel = relative(project, dir);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
    ? 'npx lineproof'
    : `npx --prefix ${shellWord(project)} lineproof`;
}

/** Create DIR, or check that it may be used; clear the layout's entries of a previous run. */
function prepareDir(dir: string, force: boolean): void {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw usage(`demo: --dir ${dir} exists and is not a folder`);
    entries = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    mkdirSync(dir, { recursive: true });
    return;
  }
  if (entries.length > 0 && !force && !isPreviousDemo(dir))
    throw usage(
      `demo: ${dir} is not empty and holds no previous demo (no COMMANDS.sh written by lineproof demo); ` +
        'choose another --dir, or give --force to write the demo there (only its own entries are replaced)',
    );
  clearLayout(dir);
}

async function runDemo(ctx: CliContext, dir: string, print: (t: string) => void) {
  const started = Date.now();
  const r = new DemoRunner(dir, cliPrefix(dir), print, ctx.io.env);
  print(`lineproof demo: in ${dir}. To redo any step by hand:\n  cd ${shellWord(dir)}\n`);
  await keysAndPolicy(r);
  const made = makeDataAndModel(dir);
  const at = formatTimestamp(Date.now(), 'up');
  await lifecycle(r, made, at);
  const evaluationLines = 4; // dataset, training, registration, evaluation
  const rejected = await rejections(r, made, evaluationLines, at);
  writeCommands(dir, r.steps, at);
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  return { r, made, rejected, seconds };
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'the whole lifecycle in a folder that stays: a model trained, attested, verified, attacks rejected',
  help: HELP,
  ownQuiet: true,
  async run(args, ctx) {
    const { values } = parseCommandArgs('demo', args, {
      dir: { type: 'string' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const quiet = ctx.quiet === true;
    if (values.json && quiet) throw usage('demo: --json and --quiet: give one');
    const dir = resolvePath(ctx, values.dir ?? 'lineproof-demo');
    prepareDir(dir, values.force === true);
    const verbose = !values.json && !quiet;
    const { r, made, rejected, seconds } = await runDemo(ctx, dir, verbose ? ctx.io.stdout : () => undefined);
    const ok = r.problems.length === 0;
    if (values.json) {
      const metrics = { ...made.metrics };
      ctx.io.stdout(
        `${JSON.stringify(jsonSummary({ ok, dir, seconds, metrics, steps: r.steps, rejected, problems: r.problems }), null, 2)}\n`,
      );
      return ok ? EXIT.OK : EXIT.FAIL;
    }
    const out = [
      '',
      `Everything is in ${dir} (cd there to redo a step; every path above is relative to it):`,
      layoutText(dir, rejected),
      '',
    ];
    if (ok)
      out.push(
        `demo OK (${seconds} s): ${CHAIN} verified for the model in model/; rejected with exit 1: ${rejected
          .map((x) => `${x.name} (${x.step.expectedCodes.join(', ')})`)
          .join(', ')}.`,
      );
    else
      out.push(
        `demo FAILED (${seconds} s): these steps did not behave as expected:`,
        ...r.problems.map((p) => `  - ${p}`),
      );
    ctx.io.stdout(`${out.join('\n')}\n`);
    return ok ? EXIT.OK : EXIT.FAIL;
  },
};
