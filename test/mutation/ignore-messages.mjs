// Stryker ignore-plugin for `npm run test:mutation` (stryker.config.json: "ignorers").
//
// Our tests assert on error codes, paths and report fields, never on message text (STYLE.md), so
// a mutant that only changes the wording of a message can never be killed by a test we would
// accept. This plugin marks those mutants "Ignored" (they stay listed in the reports, outside the
// score), and nothing else:
//   - the message argument of `new LineproofError(code, message, ...)`;
//   - the message argument of `new TypeError(...)`, `new RangeError(...)`, `new Error(...)`;
//   - the value of a `message:` property (the text of a report check or a bundle line error);
//   - the message argument of the file-local error helpers listed in HELPERS;
//   - the message argument of a report builder's `pass(id, subject, message, extra)`,
//     `fail(id, code, subject, message, extra)` and `skip(id, code, subject, message, extra)`
//     (src/report: the human text of a check; its id, code, subject, expected and actual are data
//     the tests assert on, and their mutants stay in the score).
// A mutant of the code, the path, expected/actual or of the condition that throws is never ignored.
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

/** `new X(...)`: which argument is the message. */
const CONSTRUCTORS = new Map([
  ['LineproofError', 1],
  ['TypeError', 0],
  ['RangeError', 0],
  ['Error', 0],
]);
/** Error helpers `name(...)`: which argument is the message (-1: the last). */
const HELPERS = new Map([
  ['invalid', -1], // src/dsse/envelope.ts, src/policy/policy.ts
]);

function argumentIndex(path) {
  return path.listKey === 'arguments' && typeof path.key === 'number' ? path.key : undefined;
}

function calleeName(node) {
  return node.callee && node.callee.type === 'Identifier' ? node.callee.name : undefined;
}

/** `x.pass(...)`, `x.fail(...)`, `x.skip(...)`: which argument is the check's message. */
const REPORT_METHODS = new Map([
  ['pass', 2],
  ['fail', 3],
  ['skip', 3],
]);

function methodName(node) {
  const c = node.callee;
  return c && c.type === 'MemberExpression' && !c.computed && c.property.type === 'Identifier'
    ? c.property.name
    : undefined;
}

export const ignoreMessages = {
  shouldIgnore(path) {
    const parent = path.parentPath;
    if (!parent) return undefined;
    const i = argumentIndex(path);
    if (i !== undefined && parent.node.type === 'NewExpression' && CONSTRUCTORS.get(calleeName(parent.node)) === i) {
      return 'error message text (tests assert on codes, not messages)';
    }
    if (i !== undefined && parent.node.type === 'CallExpression' && HELPERS.has(calleeName(parent.node))) {
      const want = HELPERS.get(calleeName(parent.node));
      if (i === (want < 0 ? parent.node.arguments.length + want : want))
        return 'error message text (tests assert on codes, not messages)';
    }
    if (
      i !== undefined &&
      parent.node.type === 'CallExpression' &&
      REPORT_METHODS.get(methodName(parent.node)) === i &&
      parent.node.arguments.length >= i + 1
    ) {
      return 'message text of a report check (tests assert on ids, codes, subjects, expected and actual)';
    }
    if (path.key === 'value' && parent.node.type === 'ObjectProperty' && !parent.node.computed) {
      const k = parent.node.key;
      if ((k.type === 'Identifier' && k.name === 'message') || (k.type === 'StringLiteral' && k.value === 'message'))
        return 'message text of a report entry';
    }
    return undefined;
  },
};

export const strykerPlugins = [declareValuePlugin(PluginKind.Ignore, 'error-messages', ignoreMessages)];
