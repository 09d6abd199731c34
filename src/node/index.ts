/**
 * Lineproof Node adapter: files, threads, node:crypto and processes. Re-exports the core.
 * @module
 */
export * from '../index.js';
export { readFileLimited } from './fs.js';
export { hashFileTree, type FileTreeOptions, type FileTreeResult } from './tree-pool.js';
