import * as E from 'fp-ts/lib/Either.js';
import { createSession, feedTensor, gaussianNoise, imageIds, runSession, textIds, repeat } from '@moral-plantain/model-runtime';
function must<T>(v: E.Either<unknown, T>): T { if (E.isLeft(v)) throw new Error(JSON.stringify(v.left)); return v.right; }
const model = '/tmp/mp-run/.cache/model-tiny/transformer.onnx';
const threads = Number(process.env.THREADS ?? 0);
const s = must(await createSession(model, threads ? { intraOpThreads: threads, interOpThreads: 1 } : {})());
console.log(s.inputs.map(i => `${i.name} ${i.type} [${i.shape}]`), s.outputs);
for (const B of [1, 4, 16, 32, 64]) {
  const spec = (n: string) => s.inputs.find((i) => i.name === n)!;
  const t = (n: string, v: Float32Array, d: number[]) => must(feedTensor(spec(n).type, v, d));
  const txt = 512, w = 96;
  const feeds: Record<string, any> = {
    hidden_states: t('hidden_states', repeat(gaussianNoise(0, 64 * 128), B), [B, 64, 128]),
    encoder_hidden_states: t('encoder_hidden_states', gaussianNoise(1, B * txt * w), [B, txt, w]),
    timestep: t('timestep', new Float32Array(B).fill(1), [B]),
    img_ids: t('img_ids', imageIds(8, 8), [64, 4]),
    txt_ids: t('txt_ids', textIds(txt), [txt, 4]),
  };
  await runSession(s, feeds, ['noise_pred'])();
  const n = Math.max(2, Math.round(64 / B));
  const st = performance.now();
  for (let i = 0; i < n; i++) must(await runSession(s, feeds, ['noise_pred'])());
  const ms = (performance.now() - st) / n;
  console.log(`batch ${B}: ${ms.toFixed(1)} ms per call, ${(ms / B).toFixed(2)} ms per sample`);
}
