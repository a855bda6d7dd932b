import * as ort from '@moral-plantain/onnxruntime-node';

/** Severity of ONNX Runtime's own process-wide log, from most to least talkative. */
export type RuntimeLogLevel = 'verbose' | 'info' | 'warning' | 'error' | 'fatal';

/**
 * Sets ONNX Runtime's process-wide log level. It takes effect only before the first session is
 * created (ONNX Runtime reads it once). 'fatal' hides the provider-loading errors it prints while
 * `auto` or a GPU device is probed; the session functions report those failures as values anyway.
 */
export function setRuntimeLogLevel(level: RuntimeLogLevel): void {
  ort.env.logLevel = level;
}
