// Picks the engine build this browser can run best. Both builds come from
// the same source and share pkg/aelab.js; the relaxed one adds relaxed SIMD,
// whose fused multiply-add makes training ~1.4× faster where it exists
// (Chromium); elsewhere (Safari, older browsers) the plain SIMD build runs.

// A module whose one function uses i8x16.relaxed_swizzle: it validates only
// where relaxed SIMD is supported.
// biome-ignore format: the bytes stay grouped by what they encode
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, // magic, version
  1, 5, 1, 96, 0, 1, 123, // type: () -> v128
  3, 2, 1, 0, // function 0 has type 0
  10, 43, 1, 41, 0, // code: one body of 41 bytes, no locals
  253, 12, ...new Array(16).fill(0), // v128.const 0
  253, 12, ...new Array(16).fill(0), // v128.const 0
  253, 128, 2, // i8x16.relaxed_swizzle
  11, // end
]);

export const RELAXED = WebAssembly.validate(RELAXED_PROBE);

/** The URL of the engine build to load, and its name for the page. */
export function engineBuild(relaxed = RELAXED) {
  return relaxed
    ? { url: new URL('./pkg/aelab_relaxed_bg.wasm', import.meta.url), name: 'wasm SIMD + relaxed SIMD (FMA)' }
    : { url: new URL('./pkg/aelab_bg.wasm', import.meta.url), name: 'wasm SIMD' };
}
