// A window's Schedule in words, as the console shows it beside the expression: "At 02:00, only on Sunday".
// cron() is put into words by cronstrue (AWS's six fields are Quartz's seven without seconds, with 1 =
// Sunday as in Quartz); rate() and at() are simple enough to say here.

import cronstrue from 'cronstrue';

const RATE = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/;
const AT = /^at\((\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})\)$/;

export function scheduleInWords(expression: string): string {
  const rate = RATE.exec(expression);
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2].replace(/s$/, '');
    return n === 1 ? `Every ${unit}` : `Every ${n} ${unit}s`;
  }
  const at = AT.exec(expression);
  if (at) return `Once, at ${at[2].slice(0, 5)} on ${at[1]}`;
  if (expression.startsWith('cron(') && expression.endsWith(')')) {
    try {
      return cronstrue.toString(`0 ${expression.slice(5, -1).trim()}`, { use24HourTimeFormat: true, dayOfWeekStartIndexZero: false });
    } catch {
      return expression;
    }
  }
  return expression;
}
