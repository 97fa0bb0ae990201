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
  // better-sqlite3 loads its native addon relative to its own files: it stays a package import.
  external: ['better-sqlite3'],
  logLevel: 'warning',
};
