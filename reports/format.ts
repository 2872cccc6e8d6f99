// Number and time formatting shared by the pages (plain text; callers escape).

/** Simulated time in seconds with millisecond precision: "43.015 s". */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

export function percent(fraction: number | null): string {
  return fraction === null ? '–' : `${(fraction * 100).toFixed(1)}%`;
}

export function millis(ms: number | null): string {
  return ms === null ? '–' : ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

export function verdictText(valid: true | false | 'unknown'): string {
  return valid === true ? 'valid' : valid === false ? 'INVALID' : 'unknown';
}

export function verdictClass(valid: true | false | 'unknown'): string {
  return valid === true ? 'valid' : valid === false ? 'invalid' : 'unknown';
}

/** JSON text cut to `max` characters. */
export function shortJson(value: unknown, max = 300): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
