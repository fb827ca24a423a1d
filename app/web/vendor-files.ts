/**
 * Browser scripts Pulse serves from their npm packages (no CDN, no copy step): public name → the file in
 * node_modules. The single-executable build embeds these paths as assets (scripts/build-binaries.ts).
 * htmx 2 with htmx-ext-sse 2: the SSE extension's releases require htmx ^2 (htmx 4 replaced it).
 */
export const VENDOR_FILES: Readonly<Record<string, string>> = {
  'htmx.min.js': 'node_modules/htmx.org/dist/htmx.min.js',
  'htmx-sse.min.js': 'node_modules/htmx-ext-sse/dist/sse.min.js',
};
