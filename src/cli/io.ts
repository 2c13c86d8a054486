/** Where a command writes; tests pass their own to capture output. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /**
   * Redraws the one progress line on stderr (undefined clears it). Only set where stderr is a terminal a
   * person watches, so pipes and CI logs never get it.
   */
  progress?: (line: string | undefined) => void;
  /** Colour is allowed on stdout / stderr (a terminal, and NO_COLOR unset). */
  color?: { stdout: boolean; stderr: boolean };
}

/** Colour only on a terminal, never when NO_COLOR is set (https://no-color.org), always with FORCE_COLOR. */
export function colorAllowed(stream: { isTTY?: boolean; hasColors?: () => boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false";
  return Boolean(stream.isTTY && (stream.hasColors?.() ?? true));
}

export const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  stderr: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
  get progress() {
    if (!process.stderr.isTTY) return undefined;
    return (line: string | undefined) => void process.stderr.write(line === undefined ? "\r\u001b[K" : `\r\u001b[K${line.slice(0, (process.stderr.columns || 80) - 1)}`);
  },
  get color() {
    return { stdout: colorAllowed(process.stdout), stderr: colorAllowed(process.stderr) };
  },
};
