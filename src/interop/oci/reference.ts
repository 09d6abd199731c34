/**
 * OCI references of the form `REGISTRY[:PORT]/REPOSITORY@sha256:<hex>` (spec/oci.md §1): a model
 * manifest named by digest, never by tag, so what is attested cannot move under the name.
 *
 * The repository name follows the distribution spec v1.1 ("Pulling manifests"):
 * `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`; the digest is sha256 in
 * lowercase hex (image spec, descriptor.md "SHA-256": `[A-F]` MUST NOT be used). The registry is
 * always explicit (no default registry): a host name, an IPv4 address or a bracketed IPv6 address,
 * with an optional port.
 * @module
 */
import { LineproofError } from '../../errors.js';

/** A parsed reference. */
export interface OciReference {
  /** `host[:port]` as written (host lowercased). */
  registry: string;
  /** The host alone (no port; IPv6 without brackets). */
  host: string;
  /** The repository name (`<name>` of the distribution spec). */
  repository: string;
  /** `sha256:<64 lowercase hex>`. */
  digest: string;
}

/** The distribution spec's `<name>` grammar. */
export const REPOSITORY_NAME = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const DOMAIN_LABEL = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;
const IPV6 = /^\[([0-9a-fA-F:.]{2,45})\]$/;
const SHA256 = /^sha256:[0-9a-f]{64}$/;
/** Longest reference accepted (many clients cap registry + "/" + name at 255 characters). */
export const MAX_REFERENCE_LENGTH = 255 + 72;

function invalid(text: string, why: string): LineproofError {
  return new LineproofError(
    'OCI_REFERENCE_INVALID',
    `OCI reference ${JSON.stringify(text.slice(0, 120))}: ${why} (expected REGISTRY[:PORT]/REPOSITORY@sha256:<64 lowercase hex>)`,
    { path: 'reference', expected: 'REGISTRY[:PORT]/REPOSITORY@sha256:<hex>', actual: text.slice(0, 120) },
  );
}

/** Split `host[:port]`; undefined when it is not one. */
function parseRegistry(registry: string): { host: string } | undefined {
  let host = registry;
  let port: string | undefined;
  const v6 = /^(\[[^\]]*\])(?::([0-9]+))?$/.exec(registry);
  if (v6) {
    const m = IPV6.exec(v6[1]!);
    if (!m) return undefined;
    host = m[1]!.toLowerCase();
    port = v6[2];
  } else {
    const i = registry.lastIndexOf(':');
    if (i >= 0) {
      host = registry.slice(0, i);
      port = registry.slice(i + 1);
    }
    if (host.length > 253 || !host.split('.').every((l) => DOMAIN_LABEL.test(l))) return undefined;
    host = host.toLowerCase();
  }
  if (port !== undefined && (!/^[0-9]{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) return undefined;
  return { host };
}

/**
 * Parse `REGISTRY[:PORT]/REPOSITORY@sha256:<hex>`.
 * @param text the reference as given on the command line
 * @returns registry, host, repository and digest
 * @throws {LineproofError} OCI_REFERENCE_INVALID naming what is wrong
 * @example
 * ```ts
 * parseOciReference('registry.example.com:5000/models/support-bot@sha256:' + 'ab'.repeat(32));
 * // { registry: 'registry.example.com:5000', host: 'registry.example.com', repository: 'models/support-bot', digest: 'sha256:abab…' }
 * ```
 */
export function parseOciReference(text: string): OciReference {
  if (typeof text !== 'string') throw new TypeError('"reference" expected a string');
  if (text.length > MAX_REFERENCE_LENGTH) throw invalid(text, `longer than ${MAX_REFERENCE_LENGTH} characters`);
  const at = text.indexOf('@');
  if (at < 0) throw invalid(text, 'no @sha256:<digest> (a tag is not accepted: it can move)');
  const name = text.slice(0, at);
  const digest = text.slice(at + 1);
  if (!SHA256.test(digest)) throw invalid(text, 'the digest is not sha256:<64 lowercase hex>');
  const slash = name.indexOf('/');
  if (slash <= 0) throw invalid(text, 'no registry host before the repository');
  const registryText = name.slice(0, slash);
  const repository = name.slice(slash + 1);
  const registry = parseRegistry(registryText);
  if (!registry) throw invalid(text, `the registry ${JSON.stringify(registryText.slice(0, 80))} is not HOST[:PORT]`);
  if (!REPOSITORY_NAME.test(repository))
    throw invalid(text, `the repository ${JSON.stringify(repository.slice(0, 80))} is not a distribution-spec name`);
  const host = registry.host;
  const port = registryText.slice(registryText.lastIndexOf(']') + 1).includes(':')
    ? registryText.slice(registryText.lastIndexOf(':'))
    : '';
  const shown = registryText.startsWith('[') ? `[${host}]${port}` : `${host}${port}`;
  return { registry: shown, host, repository, digest };
}

/** The text form of a reference: `registry/repository@digest`. */
export function formatOciReference(ref: OciReference): string {
  return `${ref.registry}/${ref.repository}@${ref.digest}`;
}

/** True for a host that is this machine (`localhost`, `127.0.0.0/8`, `::1`): plain HTTP is allowed there. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || /^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$/.test(host) || host === '::1';
}
