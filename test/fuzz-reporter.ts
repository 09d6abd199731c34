/**
 * Prints the fuzz run's closing line, `fuzz: N tried, M wrongly accepted`, summing the counters
 * each property test leaves in its `meta.fuzz` (test/helpers/fuzz.ts) across shards. "Wrongly
 * accepted": a case where a property said the verification must fail (or stay failing) and it
 * passed. M > 0 also fails the run (the property tests fail too).
 */
import type { Reporter, TestModule } from 'vitest/node';
import type { FuzzMeta } from './helpers/fuzz.js';

export default class FuzzReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let tried = 0;
    let wrong = 0;
    for (const m of testModules) {
      for (const t of m.children.allTests()) {
        const f = (t.meta() as { fuzz?: FuzzMeta }).fuzz;
        if (!f) continue;
        tried += f.tried;
        wrong += f.wronglyAccepted;
      }
    }
    if (wrong > 0) process.exitCode = 1;
    process.stdout.write(`fuzz: ${tried} tried, ${wrong} wrongly accepted\n`);
  }
}
