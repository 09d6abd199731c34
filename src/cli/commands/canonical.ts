import { canonicalJson } from '../../json/canonical.js';
import { parseJson } from '../../json/strict.js';
import { DEFAULT_LIMITS } from '../../limits.js';
import { readFileLimited } from '../../node/fs.js';
import { readStdinLimited } from '../../node/stdin.js';
import { parseCommandArgs, resolvePath } from '../args.js';
import { asExit } from '../errors.js';
import { EXIT, type Command } from '../types.js';

const HELP = `Usage: lineproof canonical FILE

Parse FILE strictly (duplicate keys, lone surrogates, depth > 64 and more are refused) and print
its RFC 8785 canonical form (JCS), with no trailing newline. Use - for standard input.

Exit codes: 0 printed; 1 FILE is not strict JSON (the code and path are printed); 2 usage error.

Example:
  lineproof canonical statement.json > statement.jcs.json
`;

export const canonicalCommand: Command = {
  name: 'canonical',
  summary: 'print the RFC 8785 canonical form of a JSON file (strictly parsed)',
  help: HELP,
  async run(args, ctx) {
    const { positionals } = parseCommandArgs('canonical', args, {}, { min: 1, max: 1 });
    const file = positionals[0]!;
    const bytes = await asExit(EXIT.USAGE, () =>
      file === '-'
        ? readStdinLimited(DEFAULT_LIMITS.envelopeBytes)
        : readFileLimited(resolvePath(ctx, file), DEFAULT_LIMITS.envelopeBytes, file),
    );
    const value = await asExit(EXIT.FAIL, () => parseJson(bytes, { what: file }));
    ctx.io.stdout(canonicalJson(value));
    return EXIT.OK;
  },
};
