/** Terminal colour for people; callers pass whether colour is allowed (CliIO.color), so pipes and NO_COLOR get plain text. */
import { styleText } from "node:util";

type Style = Parameters<typeof styleText>[0];

export function paint(style: Style, text: string, enabled: boolean): string {
  // validateStream: false — the caller has already decided (TTY, NO_COLOR) for the stream it writes to.
  return enabled ? styleText(style, text, { validateStream: false }) : text;
}

const SEVERITY_STYLE: Record<"error" | "warning", Style> = { error: ["bold", "red"], warning: ["bold", "yellow"] };

/** `FILE:LINE:COL: error: …` with the severity word coloured. */
export function paintDiagnostic(line: string, severity: "error" | "warning", enabled: boolean): string {
  return enabled ? line.replace(`: ${severity}: `, `: ${paint(SEVERITY_STYLE[severity], severity, true)}: `) : line;
}
