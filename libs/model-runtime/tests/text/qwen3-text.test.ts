import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultQwen3TokenizerDir, describeTextError, encodePrompt, encodePrompts, loadQwen3Tokenizer, qwen3TokenCounter, type Qwen3Tokenizer } from '../../src/index.js';
import { addedTokenId, readQwen3TokenizerJson, referenceQwen3Bpe, referenceQwen3ChatPrompt } from '@moral-plantain/references';

const PROMPTS = [
  'Hello World',
  'A photo of an elderly woman with heavy grocery bags on the stairs of a brick apartment building, and a young man in a red jacket carrying the bags up the stairs for her.',
  'A photo of a mother duck leading her ducklings across a country road, and a driver in a red pickup truck speeding straight on toward them.',
  'At 7 in the evening, 3 children wait at a bus stop; one of them is crying!',
];

function right<A>(either: E.Either<unknown, A>): A {
  if (E.isLeft(either)) throw new Error(JSON.stringify(either.left));
  return either.right;
}

const json = readQwen3TokenizerJson();
const bpe = referenceQwen3Bpe(json);
const vocab = json.model.vocab;
const newline = vocab['\u010a'] as number;
const twoNewlines = vocab['\u010a\u010a'] as number;
const PAD = addedTokenId(json, '<|endoftext|>');

/** The klein pipeline's token ids for a prompt, worked out from tokenizer.json alone. */
function expectedIds(prompt: string): number[] {
  return [
    addedTokenId(json, '<|im_start|>'),
    vocab['user'] as number,
    newline,
    ...bpe(prompt),
    addedTokenId(json, '<|im_end|>'),
    newline,
    addedTokenId(json, '<|im_start|>'),
    vocab['assistant'] as number,
    newline,
    addedTokenId(json, '<think>'),
    twoNewlines,
    addedTokenId(json, '</think>'),
    twoNewlines,
  ];
}

const tokenizer: Qwen3Tokenizer = right(await loadQwen3Tokenizer());
const temp = mkdtempSync(join(tmpdir(), 'qwen3-text-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('the Qwen3 tokenizer and chat template', () => {

  it.each(PROMPTS)('renders the klein chat template around %j', (prompt) => {
    expect(tokenizer.renderChatPrompt(prompt)).toBe(referenceQwen3ChatPrompt(prompt));
  });

  it('renders prompts with newlines, quotes and braces verbatim', () => {
    const prompt = 'Line one\n"quoted" {{ not jinja }} {% raw %}';
    expect(tokenizer.renderChatPrompt(prompt)).toBe(referenceQwen3ChatPrompt(prompt));
  });

  it.each(PROMPTS)('gives the ids of a direct BPE over tokenizer.json, template tokens included, for %j', (prompt) => {
    expect(tokenizer.encodeText(tokenizer.renderChatPrompt(prompt))).toEqual(expectedIds(prompt));
  });

  it('uses <|endoftext|> (151643) as the pad token', () => {
    expect(tokenizer.padToken).toBe('<|endoftext|>');
    expect(tokenizer.padTokenId).toBe(151_643);
    expect(PAD).toBe(151_643);
  });

  it('reads a model folder in the diffusers layout (tokenizer/ subfolder) with a chat_template.jinja file', async () => {
    const dir = join(temp, 'model');
    mkdirSync(join(dir, 'tokenizer'), { recursive: true });
    copyFileSync(join(defaultQwen3TokenizerDir(), 'tokenizer.json'), join(dir, 'tokenizer', 'tokenizer.json'));
    const config = JSON.parse(readFileSync(join(defaultQwen3TokenizerDir(), 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    const { chat_template: template, ...rest } = config;
    writeFileSync(join(dir, 'tokenizer', 'tokenizer_config.json'), JSON.stringify(rest));
    writeFileSync(join(dir, 'tokenizer', 'chat_template.jinja'), String(template));
    const fromFolder = right(await loadQwen3Tokenizer(dir));
    expect(fromFolder.source).toBe(join(dir, 'tokenizer'));
    const prompt = PROMPTS[1] ?? '';
    expect(fromFolder.encodeText(fromFolder.renderChatPrompt(prompt))).toEqual(expectedIds(prompt));
  });

  it('names the files it looked for when a folder has no tokenizer.json', async () => {
    const result = await loadQwen3Tokenizer(join(temp, 'nowhere'));
    expect(E.isLeft(result) && result.left._tag).toBe('TokenizerFilesMissing');
    if (E.isLeft(result)) expect(describeTextError(result.left).message).toContain(join(temp, 'nowhere', 'tokenizer', 'tokenizer.json'));
  });

  it('reports a tokenizer_config.json without a chat template, a pad token not in the vocabulary, and bad JSON', async () => {
    const dir = join(temp, 'broken');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(defaultQwen3TokenizerDir(), 'tokenizer.json'), join(dir, 'tokenizer.json'));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ pad_token: '<|endoftext|>' }));
    const noTemplate = await loadQwen3Tokenizer(dir);
    expect(E.isLeft(noTemplate) && noTemplate.left._tag).toBe('ChatTemplateMissing');
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ pad_token: '<|nope|>', chat_template: '{{ messages[0].content }}' }));
    const badPad = await loadQwen3Tokenizer(dir);
    expect(E.isLeft(badPad) && badPad.left._tag).toBe('PadTokenUnknown');
    writeFileSync(join(dir, 'tokenizer_config.json'), '{ not json');
    const badJson = await loadQwen3Tokenizer(dir);
    expect(E.isLeft(badJson) && describeTextError(badJson.left).message).toMatch(/not valid JSON/u);
  });
});

describe('encodePrompts', () => {

  it('right-pads each templated prompt to 512 tokens with <|endoftext|> and a 0/1 attention mask', () => {
    const encoded = right(encodePrompts(tokenizer, PROMPTS));
    expect(encoded.batch).toBe(PROMPTS.length);
    expect(encoded.length).toBe(512);
    expect(encoded.inputIds).toHaveLength(PROMPTS.length * 512);
    expect(encoded.truncated).toBe(false);
    PROMPTS.forEach((prompt, b) => {
      const ids = expectedIds(prompt);
      const row = Array.from(encoded.inputIds.subarray(b * 512, (b + 1) * 512), Number);
      const mask = Array.from(encoded.attentionMask.subarray(b * 512, (b + 1) * 512), Number);
      expect(row).toEqual([...ids, ...Array<number>(512 - ids.length).fill(PAD)]);
      expect(mask).toEqual([...Array<number>(ids.length).fill(1), ...Array<number>(512 - ids.length).fill(0)]);
      expect(encoded.tokenCounts[b]).toBe(ids.length);
    });
  });

  it('truncates a prompt over the length to its first tokens and returns a warning naming it', () => {
    const long = Array.from({ length: 300 }, () => 'good deed').join(' ');
    const encoded = right(encodePrompts(tokenizer, ['Hello World', long], { maxLength: 512 }));
    const full = expectedIds(long);
    expect(full.length).toBeGreaterThan(512);
    expect(Array.from(encoded.inputIds.subarray(512, 1024), Number)).toEqual(full.slice(0, 512));
    expect(Array.from(encoded.attentionMask.subarray(512, 1024), Number).every((v) => v === 1)).toBe(true);
    expect(encoded.truncated).toBe(true);
    expect(encoded.warnings).toEqual([
      { _tag: 'PromptTruncated', index: 1, tokens: full.length, maxLength: 512, message: `Prompt 2 has ${full.length} tokens with the chat template; only the first 512 are encoded.` },
    ]);
    expect(encoded.tokenCounts[1]).toBe(full.length);
  });

  it('encodes a single prompt as the same row of int32 ids and mask, with its truncation warning', () => {
    const batch = right(encodePrompts(tokenizer, PROMPTS));
    const single = right(encodePrompt(tokenizer, PROMPTS[2] ?? ''));
    expect(single.inputIds).toBeInstanceOf(Int32Array);
    expect(Array.from(single.inputIds)).toEqual(Array.from(batch.inputIds.subarray(2 * 512, 3 * 512), Number));
    expect(Array.from(single.attentionMask)).toEqual(Array.from(batch.attentionMask.subarray(2 * 512, 3 * 512), Number));
    expect(single.warning).toBeNull();
    const cut = right(encodePrompt(tokenizer, 'Hello World', { maxLength: 10 }, 4));
    expect(Array.from(cut.inputIds)).toEqual(expectedIds('Hello World').slice(0, 10));
    expect(cut.warning?.index).toBe(4);
    expect(cut.tokens).toBe(14);
  });

  it('honours another length and rejects one that is not a positive whole number', () => {
    const encoded = right(encodePrompts(tokenizer, ['Hello World'], { maxLength: 20 }));
    const ids = expectedIds('Hello World');
    expect(ids).toHaveLength(14);
    expect(Array.from(encoded.inputIds, Number)).toEqual([...ids, ...Array<number>(20 - ids.length).fill(PAD)]);
    const bad = encodePrompts(tokenizer, ['Hello World'], { maxLength: 0 });
    expect(E.isLeft(bad) && bad.left._tag).toBe('InvalidMaxLength');
  });
});

describe('qwen3TokenCounter', () => {
  const counter = qwen3TokenCounter(tokenizer);

  it.each(PROMPTS)('counts the prompt own tokens, nothing added, for %j', (prompt) => {
    expect(counter.name).toBe('qwen3');
    expect(counter.count(prompt)).toBe(bpe(prompt).length);
    expect(counter.count(prompt)).toBe(expectedIds(prompt).length - 12);
  });

  it("counts a whole prompt inside this tokenizer's own chat template for the context window, 512 by default", () => {
    expect(counter.context.window).toBe(512);
    for (const prompt of PROMPTS) expect(counter.context.count(prompt)).toBe(expectedIds(prompt).length);
  });

  it('counts with the template of the folder it loaded, not a built-in copy', async () => {
    const dir = join(temp, 'other-template');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(defaultQwen3TokenizerDir(), 'tokenizer.json'), join(dir, 'tokenizer.json'));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ pad_token: '<|endoftext|>', chat_template: 'User says: {{ messages[0].content }}' }));
    const other = qwen3TokenCounter(right(await loadQwen3Tokenizer(dir)), 40);
    expect(other.context).toMatchObject({ window: 40 });
    expect(other.context.count('Hello World')).toBe(bpe('User says: Hello World').length);
  });
});
