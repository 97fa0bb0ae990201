// The esbuild settings of every bundle (the CLI, the benchmarks): one Node 20 ESM file with a
// `require` for the CommonJS dependencies.
export const bundleOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  // better-sqlite3 loads its native addon relative to its own files, and pg / pg-boss (the optional
  // PostgreSQL store) stay runtime dependencies of the package: all three remain package imports.
  external: ['better-sqlite3', 'pg', 'pg-boss'],
  logLevel: 'warning',
};
