import type { CompiledWasm } from '../sign-flip-kernel.js';
import { SIGN_FLIP_WASM_BASE64 } from './sign-flip-wasm.js';

/** The part of the WebAssembly API that compiles the module. */
interface WasmCompiler {
  validate(bytes: Uint8Array): boolean;
  readonly Module: new (bytes: Uint8Array) => CompiledWasm;
}

/** The WebAssembly SIMD module of the sign-flip scan (sign-flip-quad.wat), or null where this runtime cannot run it. */
export function signFlipSimdModule(): CompiledWasm | null {
  const wasm = (globalThis as unknown as { WebAssembly?: WasmCompiler }).WebAssembly;
  const bytes = Buffer.from(SIGN_FLIP_WASM_BASE64, 'base64');
  if (wasm === undefined || !wasm.validate(bytes)) return null;
  return new wasm.Module(bytes);
}
