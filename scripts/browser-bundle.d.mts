// Types of scripts/browser-bundle.mjs for the TypeScript tests that import it.
export declare const CORE_ENTRY: string;
export declare const DEFAULT_OUTFILE: string;
export declare const NODE_GLOBALS: readonly string[];
export declare const ALLOWED_GLOBALS: Readonly<Record<string, readonly string[]>>;
/** Bundle the core (default dist/index.js) for browsers as one ES module; throws on anything of Node in it. */
export declare function bundleCore(options?: { entry?: string; outfile?: string }): Promise<string>;
