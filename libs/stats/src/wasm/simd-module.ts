import type { CompiledWasm } from '../sign-flip-kernel.js';
import { SIGN_FLIP_WASM_BASE64 } from './sign-flip-wasm.js';

/** The part of the WebAssembly API that compiles the module. */
interface WasmCompiler {
  validate(bytes: Uint8Array): boolean;
  readonly Module: new (bytes: Uint8Array) => CompiledWasm;
}

/** The compiled module, once compiled (undefined before the first call). */
let compiled: CompiledWasm | null | undefined;

/** The WebAssembly SIMD module of the sign-flip scan (sign-flip-quad.wat), or null where this runtime cannot run it; compiled once. */
export function signFlipSimdModule(): CompiledWasm | null {
  if (compiled !== undefined) return compiled;
  const wasm = (globalThis as unknown as { WebAssembly?: WasmCompiler }).WebAssembly;
  const bytes = Buffer.from(SIGN_FLIP_WASM_BASE64, 'base64');
  compiled = wasm !== undefined && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  return compiled;
}
