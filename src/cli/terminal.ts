/**
 * Text from untrusted input (file names, chain fields, error messages quoting them) made safe to
 * show on a terminal. A file name such as `x\e[2K\rVERIFIED` would otherwise erase the line it is
 * printed on and write a verdict of its own; C1 controls (U+0080-U+009F) are escapes too on many
 * terminals, and bidirectional overrides reorder what is shown (CVE-2021-42574, "Trojan Source").
 */

// C0 but tab and newline, DEL, C1, and the bidirectional controls: ALM, LRM, RLM, LRE..RLO, LRI..PDI.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Each control character as the JSON escape `\uXXXX`: visible, and inside a JSON string the same
 * value, so JSON on a terminal stays JSON that parses to what it did.
 * @param text what is about to be written
 * @returns the text with every unsafe character escaped; tab and newline kept
 * @example
 * ```ts
 * terminalSafe('a\u001b[2Kb'); // 'a\\u001b[2Kb'
 * ```
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
