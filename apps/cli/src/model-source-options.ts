import { Option, type Command } from 'commander';

/** Adds the options that name a command's model and how it is built from a pipeline folder or repo id (`run`, `generate`): `--model`, `--revision`, `--text-layers`, `--quantize`, `--quant-block-size`. */
export function addModelSourceOptions(command: Command, model: string): Command {
  return command
    .option('--model <dir|repo>', `${model}: a model folder (\`model build\`, or an ONNX export), a diffusers pipeline folder, or a Hugging Face repo id found in the local Hugging Face cache (built once into ~/.cache/moral-plantain); default: the embedded tiny seeded model`)
    .option('--revision <rev>', 'with a repo id: the branch, tag or commit hash of the cached snapshot (default main)')
    .option('--text-layers <list>', "with a pipeline folder or repo id: the text encoder's hidden states concatenated as the prompt embedding, a build option (default 9,18,27, FLUX.2 klein's, when the encoder has them)")
    .addOption(new Option('--quantize <bits>', 'with a pipeline folder or repo id: build with weight-only quantization of the linear layers (MatMulNBits), a build option').choices(['int8', 'int4']))
    .option('--quant-block-size <n>', 'with --quantize: weights per quantization block (default 128), a build option');
}
