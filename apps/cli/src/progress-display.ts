import type { StudyProgress } from '@moral-plantain/study';

/** Shows a study's progress: a redrawn bar with ETA on a terminal, plain log lines otherwise. */
export type ProgressDisplay = StudyProgress;

/** Width of the bar in characters. */
const BAR_WIDTH = 28;

/** What a progress display shows: the progress of each stage, and the study's messages (stimuli, model, notes). */
export interface ProgressShown {
  readonly progress: boolean;
  readonly messages: boolean;
}

/** A display on `stream`: bars when it is a TTY, otherwise one line per stage start, every 10 % and the end; only what `shown` asks for. */
export function createProgressDisplay(stream: NodeJS.WriteStream, shown: ProgressShown = { progress: true, messages: true }): ProgressDisplay {
  const quiet = !shown.progress;
  const tty = stream.isTTY === true && !quiet;
  let drawn = false;
  // Last tenth printed per stage: stages may interleave (encode, prompts, encode, ...).
  const printedTenth = new Map<string, number>();
  const clear = () => {
    if (drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };
  return {
    update(p) {
      if (quiet) return;
      const fraction = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
      const eta = p.etaSeconds === null || p.etaSeconds === undefined ? '' : ` ETA ${formatSeconds(p.etaSeconds)}`;
      if (tty) {
        const filled = Math.round(fraction * BAR_WIDTH);
        stream.write(`\r\x1b[2K${p.stage.padEnd(12)} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${p.done}/${p.total}${eta}`);
        drawn = true;
        return;
      }
      const tenth = Math.floor(fraction * 10);
      if (tenth > (printedTenth.get(p.stage) ?? -1)) {
        stream.write(`${p.stage}: ${p.done}/${p.total}${eta}\n`);
        printedTenth.set(p.stage, tenth);
      }
    },
    log(message) {
      if (!shown.messages) return;
      clear();
      stream.write(`${message}\n`);
    },
    finish() {
      if (drawn) stream.write('\n');
      drawn = false;
      printedTenth.clear();
    },
  };
}

/** 75 -> "1m15s", 4.2 -> "4s". */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
