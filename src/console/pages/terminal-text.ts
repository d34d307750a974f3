// A session transcript as text for a <pre>: the bytes are what a terminal was sent, so each line is played
// as a terminal would (a carriage return goes back to the line's start and what follows overwrites, a
// backspace moves back one, ESC [ K clears to the line's end: how a shell's echo corrects a typo), other
// escape sequences (colours, cursor keys, window titles) are dropped, and line ends become \n. Only the
// display changes: the store keeps the bytes as sent. The page escapes the result like any other text.

// CSI (ESC [ ... final byte), OSC (ESC ] ... BEL or ST), the other string sequences (DCS, SOS, PM, APC,
// up to ST), escapes with a designator (ESC ( B), and two-byte escapes (ESC =).
const ESCAPE = /\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[()*+#%][ -~]?|\x1b[ -~]?/g;
const CLEAR_TO_END = /^(?:\x1b\[|\x9b)0?K$/;
// C0 controls and DEL but tab, kept out of the text (a carriage return and a backspace are played first).
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;

/** One line played: `parts` alternate text and escape sequences. */
function playLine(line: string): string {
  const cells: string[] = [];
  let cursor = 0;
  let last = 0;
  const text = (run: string) => {
    for (const char of run) {
      if (char === '\r') cursor = 0;
      else if (char === '\b') cursor = Math.max(0, cursor - 1);
      else if (!CONTROL.test(char)) cells[cursor++] = char;
    }
  };
  for (const match of line.matchAll(ESCAPE)) {
    text(line.slice(last, match.index));
    if (CLEAR_TO_END.test(match[0])) cells.length = Math.min(cells.length, cursor);
    last = match.index + match[0].length;
  }
  text(line.slice(last));
  return Array.from(cells, (c) => c ?? ' ').join('').trimEnd();
}

export function terminalText(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('utf8').replace(/\r+\n/g, '\n').split('\n').map(playLine).join('\n');
}
